/**
 * The kiln store as a transport (`kiln:REF` or a bare reference). Writes are protected by a GC lease
 * until commit; index.json changes once, under the store lock, only after every blob is verified, so
 * a failed copy or load leaves the store's images as they were (unreferenced blobs go at `prune`).
 */
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { layerMediaTypeInfo } from '../oci/media-types.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import { parseImageSelector, refName } from '../store/image-selector.js';
import { tagRefName, withTag } from '../store/image-tags.js';
import type { LocalStore } from '../store/local-store.js';
import { entryRefName, resolveRoot } from '../store/resolve-image.js';
import type { Lease } from '../store/types.js';
import { compressForExport } from './compress-for-export.js';
import type { DestinationCapabilities, ImageDestination, ImageSource, SourceImage } from './transport.js';

/** Lazily started lease shared by a source or destination. */
class LazyLease {
  readonly #store: LocalStore;
  #lease: Promise<Lease> | undefined;

  constructor(store: LocalStore) {
    this.#store = store;
  }

  get(): Promise<Lease> {
    this.#lease ??= this.#store.createLease();
    return this.#lease;
  }

  async release(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease !== undefined) await (await lease).release();
  }
}

/** An image of the store as a source. */
export class StoreSource implements ImageSource {
  readonly description: string;
  readonly #store: LocalStore;
  readonly #refs: readonly string[];
  readonly #lease: LazyLease;

  /** `refs`: one or more references, digests or IDs of stored images. */
  constructor(store: LocalStore, refs: string | readonly string[]) {
    this.#store = store;
    this.#refs = typeof refs === 'string' ? [refs] : refs;
    if (this.#refs.length === 0) throw new KilnError(ErrorCode.Usage, 'no image given');
    this.#lease = new LazyLease(store);
    this.description = `kiln:${this.#refs.join(',')}`;
  }

  async images(): Promise<readonly SourceImage[]> {
    const images: SourceImage[] = [];
    for (const ref of this.#refs) images.push(await this.#image(ref));
    return images;
  }

  async #image(ref: string): Promise<SourceImage> {
    const selector = parseImageSelector(ref);
    const root = await resolveRoot(this.#store, selector);
    const tag = selector.kind === 'reference' ? refName(selector) : undefined;
    if (tag !== undefined) return { root, names: [tag] };
    const index = await this.#store.readIndex();
    const names = index.manifests
      .filter((m) => m.digest === root.digest)
      .flatMap((m) => entryRefName(m) ?? []);
    return { root, names };
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    return (await this.#store.statBlob(descriptor.digest))?.size === descriptor.size;
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    await this.#checkSize(descriptor);
    return this.#store.openBlob(descriptor.digest);
  }

  async readBlob(descriptor: Descriptor): Promise<Buffer> {
    await this.#checkSize(descriptor);
    return this.#store.readBlob(descriptor.digest);
  }

  async #checkSize(descriptor: Descriptor): Promise<void> {
    const info = await this.#store.requireBlob(descriptor.digest);
    if (info.size !== descriptor.size) {
      throw new KilnError(
        ErrorCode.DigestMismatch,
        `blob ${descriptor.digest} has ${info.size} bytes in the store, its descriptor says ${descriptor.size}`,
      );
    }
  }

  /** Reuses the recorded compressed variant of an uncompressed layer, or makes and records it. */
  async compressedLayer(layer: Descriptor, algorithm: 'gzip' | 'zstd'): Promise<Descriptor> {
    const info = layerMediaTypeInfo(layer.mediaType);
    if (info === undefined || info.compression !== 'none') {
      throw new KilnError(
        ErrorCode.Internal,
        `layer ${layer.digest} (${layer.mediaType}) is not an uncompressed layer`,
      );
    }
    const lease = await this.#lease.get();
    let blob = await this.#store.getCompressed(layer.digest, algorithm);
    if (blob === undefined) {
      const compressed = compressForExport(await this.openBlob(layer), algorithm);
      const written = await this.#store.writeBlob(compressed.stream, { lease });
      const result = await compressed.result;
      if (result.digest !== written.digest) {
        throw new KilnError(ErrorCode.Internal, `compressed layer digest changed while it was written`);
      }
      await this.#store.recordCompressed({ diffID: layer.digest, algorithm, blob: written });
      blob = written;
    } else {
      await lease.add(blob.digest);
    }
    return {
      ...layer,
      mediaType: exportMediaType(layer.mediaType, algorithm),
      digest: blob.digest,
      size: blob.size,
    };
  }

  close(): Promise<void> {
    return this.#lease.release();
  }
}

/** The compressed counterpart of an uncompressed layer media type, in the same format family. */
export function exportMediaType(mediaType: string, algorithm: 'gzip' | 'zstd'): string {
  const info = layerMediaTypeInfo(mediaType);
  const format = info?.format ?? 'oci';
  if (format === 'docker') {
    return algorithm === 'gzip'
      ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      : 'application/vnd.docker.image.rootfs.diff.tar.zstd';
  }
  return algorithm === 'gzip'
    ? 'application/vnd.oci.image.layer.v1.tar+gzip'
    : 'application/vnd.oci.image.layer.v1.tar+zstd';
}

/** An image stored (and optionally tagged) in the store. */
export interface StoredImage {
  readonly root: Descriptor;
  /** Full ref names given to it (empty: kept untagged). */
  readonly tags: readonly string[];
}

/** The store as a destination. */
export class StoreDestination implements ImageDestination {
  readonly description: string;
  readonly capabilities: DestinationCapabilities = { indexes: true, format: 'any' };
  readonly #store: LocalStore;
  readonly #tag: string | undefined;
  readonly #lease: LazyLease;
  readonly #pending: StoredImage[] = [];
  #committed: readonly StoredImage[] = [];

  /** `tag`: the name for the (single) image instead of the source's names. */
  constructor(store: LocalStore, tag?: string) {
    this.#store = store;
    this.#tag = tag === undefined ? undefined : tagRefName(tag);
    this.#lease = new LazyLease(store);
    this.description = tag === undefined ? `kiln store ${store.root}` : `kiln:${tag}`;
  }

  /** What `commit` recorded. */
  get images(): readonly StoredImage[] {
    return this.#committed;
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    const info = await this.#store.statBlob(descriptor.digest);
    if (info?.size !== descriptor.size) return false;
    await (await this.#lease.get()).add(descriptor.digest);
    return true;
  }

  async putBlob(descriptor: Descriptor, content: Readable): Promise<void> {
    await this.#store.writeBlob(content, {
      expected: { digest: descriptor.digest, size: descriptor.size },
      lease: await this.#lease.get(),
    });
  }

  async putManifest(descriptor: Descriptor, bytes: Buffer): Promise<void> {
    await this.#store.writeBlob(bytes, {
      expected: { digest: descriptor.digest, size: descriptor.size },
      lease: await this.#lease.get(),
    });
  }

  async addImage(root: Descriptor, names: readonly string[]): Promise<void> {
    if (this.#tag !== undefined && this.#pending.length > 0) {
      throw new KilnError(ErrorCode.Usage, `${this.description}: one tag cannot be given to several images`);
    }
    const tags = this.#tag !== undefined ? [this.#tag] : names.map((name) => tagRefName(name));
    this.#pending.push({ root, tags: [...new Set(tags)] });
  }

  async commit(): Promise<void> {
    const pending = [...this.#pending];
    try {
      await this.#store.updateIndex((index) => pending.reduce(addToIndex, index));
      this.#committed = pending;
    } finally {
      await this.#lease.release();
    }
  }

  abort(): Promise<void> {
    return this.#lease.release();
  }
}

function addToIndex(index: ImageIndex, image: StoredImage): ImageIndex {
  if (image.tags.length === 0) {
    if (index.manifests.some((m) => m.digest === image.root.digest)) return index;
    const { annotations: _a, ...plain } = image.root;
    return { ...index, manifests: [...index.manifests, plain] };
  }
  return image.tags.reduce((acc, tag) => withTag(acc, tag, image.root), index);
}
