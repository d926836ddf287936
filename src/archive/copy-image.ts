/**
 * Copying images between transports: index → manifests → config and layers, bottom-up, each blob
 * streamed from the source (verified there) into the destination (verified again), blobs the
 * destination has skipped. A document is rewritten only when something under it changed (a layer
 * compressed, a format conversion); otherwise its exact bytes — and so its digest — are kept.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { convertIndex, convertManifest, manifestFormat } from '../oci/convert.js';
import { sha256Digest } from '../oci/digest.js';
import { isIndexMediaType, isManifestMediaType, layerMediaTypeInfo } from '../oci/media-types.js';
import { parseManifestDocument } from '../oci/parse-document.js';
import {
  defaultPlatform,
  formatPlatform,
  normalizePlatform,
  type PlatformSpec,
  selectManifest,
} from '../oci/platform.js';
import type { Descriptor, ImageIndex, ImageManifest, ManifestFormat } from '../oci/types.js';
import { compressForExport } from './compress-for-export.js';
import { exportMediaType } from './store-transport.js';
import type { BlobPutOutcome, BlobSupply, ImageDestination, ImageSource } from './transport.js';

/** Progress of a copy, one event per blob or document. */
export type CopyProgress =
  | { readonly kind: 'blob-copied'; readonly descriptor: Descriptor }
  | { readonly kind: 'blob-skipped'; readonly descriptor: Descriptor }
  /** A registry destination mounted the blob from the source repository (no bytes moved). */
  | { readonly kind: 'blob-mounted'; readonly descriptor: Descriptor }
  | { readonly kind: 'layer-compressed'; readonly from: Descriptor; readonly to: Descriptor }
  | { readonly kind: 'manifest'; readonly descriptor: Descriptor };

export interface CopyImageOptions {
  readonly src: ImageSource;
  readonly dst: ImageDestination;
  /**
   * Copy only this platform's manifest out of an index. Without it an index is copied whole, unless
   * the destination holds single manifests (docker-archive) or the source lacks some of the index's
   * manifests (a store that pulled one platform): then the host platform is picked.
   */
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  /** Manifest format to write (default: the destination's requirement, else unchanged). */
  readonly format?: ManifestFormat;
  /** Compress uncompressed layers with this algorithm (default: layers are copied as they are). */
  readonly compression?: 'gzip' | 'zstd';
  /** Where compressed layers are staged when the source cannot cache them (default the OS temp dir). */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: CopyProgress) => void;
}

/** One image copied. */
export interface CopiedImage {
  /** The root as the source has it. */
  readonly source: Descriptor;
  /** The root as written (differs after platform selection, compression or conversion). */
  readonly root: Descriptor;
  readonly names: readonly string[];
}

export interface CopyResult {
  readonly images: readonly CopiedImage[];
  /** Config and layer blobs written (manifests and indexes are not counted). */
  readonly blobsCopied: number;
  readonly blobsSkipped: number;
  /** Blobs a registry destination mounted from the source repository (also not counted as copied). */
  readonly blobsMounted: number;
}

/** Copies every image `src` names into `dst` and commits; on failure the destination is aborted. */
export async function copyImage(options: CopyImageOptions): Promise<CopyResult> {
  const { dst } = options;
  try {
    if (
      options.format !== undefined &&
      dst.capabilities.format !== 'any' &&
      options.format !== dst.capabilities.format
    ) {
      throw new KilnError(
        ErrorCode.Usage,
        `${dst.description} holds ${dst.capabilities.format} manifests only`,
      );
    }
    const copier = new Copier(options);
    const images: CopiedImage[] = [];
    for (const image of await options.src.images()) {
      const root = await copier.node(image.root);
      await dst.addImage(root, image.names);
      images.push({ source: image.root, root, names: image.names });
    }
    await dst.commit();
    return {
      images,
      blobsCopied: copier.copied,
      blobsSkipped: copier.skipped,
      blobsMounted: copier.mounted,
    };
  } catch (error) {
    await dst.abort().catch(() => undefined);
    throw error;
  }
}

function plain(descriptor: Descriptor): Descriptor {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

class Copier {
  readonly #options: CopyImageOptions;
  readonly #format: ManifestFormat | undefined;
  readonly #blobs = new Map<string, Promise<void>>();
  readonly #nodes = new Map<string, Promise<Descriptor>>();
  copied = 0;
  skipped = 0;
  mounted = 0;

  constructor(options: CopyImageOptions) {
    this.#options = options;
    const required = options.dst.capabilities.format;
    this.#format = options.format ?? (required === 'any' ? undefined : required);
  }

  #checkAbort(): void {
    if (this.#options.signal?.aborted) {
      throw new KilnError(ErrorCode.Aborted, 'copy aborted', { cause: this.#options.signal.reason });
    }
  }

  /** Copies an index or manifest (and everything under it); returns its descriptor at the destination. */
  node(descriptor: Descriptor): Promise<Descriptor> {
    const key = `${descriptor.digest} ${descriptor.mediaType}`;
    let pending = this.#nodes.get(key);
    if (pending === undefined) {
      pending = this.#copyNode(descriptor);
      this.#nodes.set(key, pending);
    }
    return pending;
  }

  async #copyNode(descriptor: Descriptor): Promise<Descriptor> {
    this.#checkAbort();
    const { src } = this.#options;
    const bytes = await src.readBlob(descriptor);
    const declared =
      isIndexMediaType(descriptor.mediaType) || isManifestMediaType(descriptor.mediaType)
        ? descriptor.mediaType
        : undefined;
    const doc = parseManifestDocument(bytes, declared);
    return doc.kind === 'index'
      ? this.#copyIndex(descriptor, bytes, doc.index)
      : this.#copyManifest(descriptor, bytes, doc.manifest);
  }

  async #copyIndex(descriptor: Descriptor, bytes: Buffer, index: ImageIndex): Promise<Descriptor> {
    const { src, dst } = this.#options;
    const available: Descriptor[] = [];
    for (const entry of index.manifests) if (await src.hasBlob(entry)) available.push(entry);
    const partial = available.length < index.manifests.length;
    if (!dst.capabilities.indexes || this.#options.platform !== undefined || partial) {
      return this.node(plain(this.#pick({ ...index, manifests: available }, index, descriptor)));
    }
    const manifests: Descriptor[] = [];
    let changed = false;
    for (const entry of index.manifests) {
      const copied = await this.node(entry);
      if (copied.digest !== entry.digest) changed = true;
      manifests.push({ ...entry, mediaType: copied.mediaType, digest: copied.digest, size: copied.size });
    }
    const format = this.#format ?? manifestFormat(index);
    if (!changed && format === manifestFormat(index)) return this.#putDocument(descriptor, bytes);
    const converted = convertIndex({ ...index, manifests }, format, { dropUnsupported: true });
    return this.#putNew(descriptor, converted);
  }

  #pick(available: ImageIndex, full: ImageIndex, descriptor: Descriptor): Descriptor {
    const wanted: PlatformSpec = this.#options.platform
      ? normalizePlatform(this.#options.platform)
      : defaultPlatform({ platform: process.platform, arch: process.arch });
    const chosen = selectManifest(available, wanted);
    if (chosen !== undefined) return chosen;
    const missing = selectManifest(full, wanted) !== undefined;
    throw new KilnError(
      ErrorCode.Platform,
      missing
        ? `${this.#options.src.description}: the ${formatPlatform(wanted)} manifest of ${descriptor.digest} is not there`
        : `${this.#options.src.description}: index ${descriptor.digest} has no manifest for ${formatPlatform(wanted)}`,
      { hint: 'choose a platform the image has with --platform' },
    );
  }

  async #copyManifest(descriptor: Descriptor, bytes: Buffer, manifest: ImageManifest): Promise<Descriptor> {
    await this.#blob(manifest.config);
    const layers: Descriptor[] = [];
    let changed = false;
    for (const layer of manifest.layers) {
      const copied = await this.#layer(layer);
      if (copied.digest !== layer.digest || copied.mediaType !== layer.mediaType) changed = true;
      layers.push(copied);
    }
    const format = this.#format ?? manifestFormat(manifest);
    if (!changed && format === manifestFormat(manifest)) return this.#putDocument(descriptor, bytes);
    const converted = convertManifest({ ...manifest, layers }, format, { dropUnsupported: true });
    return this.#putNew(descriptor, converted);
  }

  async #putDocument(descriptor: Descriptor, bytes: Buffer): Promise<Descriptor> {
    await this.#options.dst.putManifest(descriptor, bytes);
    this.#options.onProgress?.({ kind: 'manifest', descriptor });
    return descriptor;
  }

  async #putNew(old: Descriptor, document: ImageIndex | ImageManifest): Promise<Descriptor> {
    const bytes = Buffer.from(JSON.stringify(document));
    const { data: _data, ...rest } = old;
    const descriptor: Descriptor = {
      ...rest,
      mediaType: document.mediaType ?? old.mediaType,
      digest: sha256Digest(bytes),
      size: bytes.length,
    };
    return this.#putDocument(descriptor, bytes);
  }

  async #layer(layer: Descriptor): Promise<Descriptor> {
    const { src } = this.#options;
    const info = layerMediaTypeInfo(layer.mediaType);
    const algorithm = this.#options.compression;
    if (algorithm !== undefined && info?.compression === 'none') {
      const compressed =
        src.compressedLayer !== undefined
          ? await src.compressedLayer(layer, algorithm)
          : await this.#compressViaTemp(layer, algorithm);
      this.#options.onProgress?.({ kind: 'layer-compressed', from: layer, to: compressed });
      await this.#blob(compressed);
      return compressed;
    }
    if (info?.nondistributable === true && !(await src.hasBlob(layer))) return layer;
    await this.#blob(layer);
    return layer;
  }

  async #compressViaTemp(layer: Descriptor, algorithm: 'gzip' | 'zstd'): Promise<Descriptor> {
    const { src, dst } = this.#options;
    const dir = await mkdtemp(join(this.#options.tmpDir ?? tmpdir(), 'kiln-compress-'));
    try {
      const path = join(dir, 'layer');
      const compressed = compressForExport(await src.openBlob(layer), algorithm);
      await pipeline(compressed.stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      const { digest, size } = await compressed.result;
      const descriptor: Descriptor = {
        ...layer,
        mediaType: exportMediaType(layer.mediaType, algorithm),
        digest,
        size,
      };
      if (await dst.hasBlob(descriptor)) {
        this.skipped += 1;
        this.#options.onProgress?.({ kind: 'blob-skipped', descriptor });
      } else {
        await this.#put(descriptor, { open: async () => createReadStream(path) });
      }
      this.#blobs.set(descriptor.digest, Promise.resolve());
      return descriptor;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #blob(descriptor: Descriptor): Promise<void> {
    let pending = this.#blobs.get(descriptor.digest);
    if (pending === undefined) {
      pending = this.#copyBlob(descriptor);
      this.#blobs.set(descriptor.digest, pending);
    }
    return pending;
  }

  async #copyBlob(descriptor: Descriptor): Promise<void> {
    this.#checkAbort();
    const { src, dst } = this.#options;
    if (await dst.hasBlob(descriptor)) {
      this.skipped += 1;
      this.#options.onProgress?.({ kind: 'blob-skipped', descriptor });
      return;
    }
    await this.#put(descriptor, {
      open: () => src.openBlob(descriptor),
      ...(src.registryLocation !== undefined ? { location: src.registryLocation } : {}),
    });
  }

  /** Stores one blob the destination lacks (reopenable and mountable when the destination can use that). */
  async #put(descriptor: Descriptor, supply: BlobSupply): Promise<void> {
    const { dst } = this.#options;
    const outcome: BlobPutOutcome =
      dst.putBlobFrom !== undefined
        ? await dst.putBlobFrom(descriptor, supply)
        : await dst.putBlob(descriptor, await supply.open()).then(() => 'copied' as const);
    switch (outcome) {
      case 'copied':
        this.copied += 1;
        this.#options.onProgress?.({ kind: 'blob-copied', descriptor });
        return;
      case 'mounted':
        this.mounted += 1;
        this.#options.onProgress?.({ kind: 'blob-mounted', descriptor });
        return;
      default:
        assertNever(outcome, 'blob put outcome');
    }
  }
}
