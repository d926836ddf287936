/**
 * Writing an OCI image layout — into a directory (`oci:DIR[:NAME]`, merged with what is there, like
 * skopeo) or as a tar (`oci-archive:FILE[:NAME]`, streamed). Images are named by the
 * `org.opencontainers.image.ref.name` annotation of their index.json entry.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, KilnError } from '../errors.js';
import { parseDigest, verifyingStream } from '../oci/digest.js';
import { IMAGE_LAYOUT_VERSION, OciAnnotation, OciMediaType } from '../oci/media-types.js';
import { parseIndex } from '../oci/parse-document.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import type { ArchiveOutput } from './archive-output.js';
import { layoutRefName, withoutRefName } from './layout-source.js';
import type { DestinationCapabilities, ImageDestination } from './transport.js';

/** Storage of a layout being written. */
export interface LayoutSink {
  readonly description: string;
  hasBlob(descriptor: Descriptor): Promise<boolean>;
  /** Writes `blobs/<alg>/<hex>`; `content` is verified against the descriptor. */
  writeBlob(descriptor: Descriptor, content: Readable | Buffer): Promise<void>;
  /** The index.json already there (directories), or undefined. */
  existingIndex(): Promise<ImageIndex | undefined>;
  /** Writes `oci-layout` and `index.json` last and makes the layout visible. */
  finish(index: ImageIndex): Promise<void>;
  abort(): Promise<void>;
}

const LAYOUT_FILE = `${JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION })}`;

function blobName(descriptor: Descriptor): { dir: string; name: string } {
  const { algorithm, hex } = parseDigest(descriptor.digest);
  return { dir: `blobs/${algorithm}`, name: `blobs/${algorithm}/${hex}` };
}

function verified(descriptor: Descriptor, content: Readable | Buffer): Readable {
  const check = verifyingStream({ digest: descriptor.digest, size: descriptor.size });
  if (Buffer.isBuffer(content)) {
    check.end(content);
    return check;
  }
  content.on('error', (error) => check.destroy(error));
  return content.pipe(check);
}

/** A layout directory on disk (created when missing). */
export function directorySink(dir: string): LayoutSink {
  const description = `oci:${dir}`;
  const temps = new Set<string>();
  return {
    description,
    async hasBlob(descriptor) {
      try {
        const info = await stat(join(dir, blobName(descriptor).name));
        return info.isFile() && info.size === descriptor.size;
      } catch {
        return false;
      }
    },
    async writeBlob(descriptor, content) {
      const { dir: blobDir, name } = blobName(descriptor);
      await mkdir(join(dir, blobDir), { recursive: true });
      const temp = join(dir, blobDir, `.kiln-${process.pid}-${randomUUID()}.tmp`);
      temps.add(temp);
      try {
        await pipeline(verified(descriptor, content), createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
        await rename(temp, join(dir, name));
      } finally {
        temps.delete(temp);
        await rm(temp, { force: true });
      }
    },
    async existingIndex() {
      let text: Buffer;
      try {
        text = await readFile(join(dir, 'index.json'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new KilnError(ErrorCode.Usage, `${description}: ${(error as Error).message}`, { cause: error });
      }
      return parseIndex(text);
    },
    async finish(index) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'oci-layout'), LAYOUT_FILE);
      const temp = join(dir, `.index.json.${process.pid}-${randomUUID()}.tmp`);
      await writeFile(temp, JSON.stringify(index));
      await rename(temp, join(dir, 'index.json'));
    },
    async abort() {
      for (const temp of temps) await rm(temp, { force: true });
    },
  };
}

/** A layout streamed into a tar (`oci-archive:`). */
export function archiveSink(output: ArchiveOutput): LayoutSink {
  const written = new Set<string>();
  const dirs = new Set<string>();
  return {
    description: `oci-archive:${output.description}`,
    async hasBlob(descriptor) {
      return written.has(descriptor.digest);
    },
    async writeBlob(descriptor, content) {
      const { dir, name } = blobName(descriptor);
      if (!dirs.has(dir)) {
        if (dirs.size === 0) await output.addDirectory('blobs');
        await output.addDirectory(dir);
        dirs.add(dir);
      }
      await output.addStream(name, descriptor.size, verified(descriptor, content));
      written.add(descriptor.digest);
    },
    async existingIndex() {
      return undefined;
    },
    async finish(index) {
      await output.addBytes('oci-layout', Buffer.from(LAYOUT_FILE));
      await output.addBytes('index.json', Buffer.from(JSON.stringify(index)));
      await output.commit();
    },
    abort: () => output.abort(),
  };
}

/** index.json with `root` named `name` (an older holder of the name loses it). */
export function withLayoutName(index: ImageIndex, root: Descriptor, name: string | undefined): ImageIndex {
  const plain = withoutRefName(root);
  if (name === undefined) {
    if (index.manifests.some((entry) => entry.digest === root.digest)) return index;
    return { ...index, manifests: [...index.manifests, plain] };
  }
  const entry: Descriptor = {
    ...plain,
    annotations: { ...(plain.annotations ?? {}), [OciAnnotation.RefName]: name },
  };
  const kept = index.manifests.filter(
    (existing) =>
      layoutRefName(existing) !== name &&
      !(layoutRefName(existing) === undefined && existing.digest === root.digest),
  );
  return { ...index, manifests: [...kept, entry] };
}

/** An OCI layout as a destination. */
export class OciLayoutDestination implements ImageDestination {
  readonly description: string;
  readonly capabilities: DestinationCapabilities = { indexes: true, format: 'any' };
  readonly #sink: LayoutSink;
  readonly #name: string | undefined;
  readonly #images: { readonly root: Descriptor; readonly names: readonly string[] }[] = [];

  /** `name`: the ref name to give the (single) image instead of the source's names. */
  constructor(sink: LayoutSink, name?: string) {
    this.#sink = sink;
    this.#name = name;
    this.description = sink.description;
  }

  hasBlob(descriptor: Descriptor): Promise<boolean> {
    return this.#sink.hasBlob(descriptor);
  }

  putBlob(descriptor: Descriptor, content: Readable): Promise<void> {
    return this.#sink.writeBlob(descriptor, content);
  }

  async putManifest(descriptor: Descriptor, bytes: Buffer): Promise<void> {
    if (await this.#sink.hasBlob(descriptor)) return;
    await this.#sink.writeBlob(descriptor, bytes);
  }

  async addImage(root: Descriptor, names: readonly string[]): Promise<void> {
    if (this.#name !== undefined && this.#images.length > 0) {
      throw new KilnError(ErrorCode.Usage, `${this.description}: one name cannot be given to several images`);
    }
    this.#images.push({ root, names: this.#name !== undefined ? [this.#name] : names });
  }

  async commit(): Promise<void> {
    let index: ImageIndex = (await this.#sink.existingIndex()) ?? {
      schemaVersion: 2,
      mediaType: OciMediaType.ImageIndex,
      manifests: [],
    };
    for (const image of this.#images) {
      if (image.names.length === 0) index = withLayoutName(index, image.root, undefined);
      for (const name of image.names) index = withLayoutName(index, image.root, name);
    }
    await this.#sink.finish(index);
  }

  abort(): Promise<void> {
    return this.#sink.abort();
  }
}
