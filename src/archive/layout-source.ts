/**
 * Reading an OCI image layout — a directory (`oci:DIR`) or an unpacked `oci-archive:` — as an
 * `ImageSource`. Names are the `org.opencontainers.image.ref.name` annotations of index.json.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { parseDigest } from '../oci/digest.js';
import { OciAnnotation } from '../oci/media-types.js';
import { parseIndex, parseLayout, parseManifestDocument } from '../oci/parse-document.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import { type BlobFile, openVerified, readVerified } from './blob-files.js';
import type { ExtractedArchive } from './extract-archive.js';
import type { ImageSource, SourceImage } from './transport.js';
import type { ImagePick } from './transport-spec.js';

/** The files of a layout, wherever they are. */
export interface LayoutFiles {
  readonly description: string;
  /** The parsed `index.json` (after checking `oci-layout`). */
  readIndex(): Promise<ImageIndex>;
  /** The file of a blob, or undefined when the layout does not have it. */
  locateBlob(digest: Descriptor['digest']): Promise<BlobFile | undefined>;
}

function blobRelPath(digest: Descriptor['digest']): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/** Layout files of a directory on disk. */
export function directoryLayout(dir: string): LayoutFiles {
  const description = `oci:${dir}`;
  return {
    description,
    async readIndex() {
      const read = async (name: string): Promise<Buffer> => {
        try {
          return await readFile(join(dir, name));
        } catch (error) {
          throw new KilnError(
            ErrorCode.NotFound,
            `${description}: not an OCI image layout (cannot read ${name}: ${(error as Error).message})`,
            { cause: error },
          );
        }
      };
      parseLayout(await read('oci-layout'));
      return parseIndex(await read('index.json'));
    },
    async locateBlob(digest) {
      const path = join(dir, blobRelPath(digest));
      try {
        const info = await stat(path);
        return info.isFile() ? { path, size: info.size } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Layout files of an unpacked oci-archive. */
export function archiveLayout(archive: ExtractedArchive, description: string): LayoutFiles {
  return {
    description,
    async readIndex() {
      if (archive.file('oci-layout') === undefined || archive.file('index.json') === undefined) {
        throw new KilnError(
          ErrorCode.InvalidDocument,
          `${description}: not an OCI archive (no oci-layout / index.json)`,
        );
      }
      parseLayout(JSON.stringify(await archive.readJson('oci-layout', 'oci-layout')));
      return parseIndex(JSON.stringify(await archive.readJson('index.json', 'index.json')));
    },
    async locateBlob(digest) {
      const found = archive.file(blobRelPath(digest));
      return found === undefined ? undefined : { path: found.path, size: found.size };
    },
  };
}

/** The ref name of an index.json entry. */
export function layoutRefName(entry: Descriptor): string | undefined {
  return entry.annotations?.[OciAnnotation.RefName];
}

/** The entry without its naming annotation (what the image is, not what it is called). */
export function withoutRefName(entry: Descriptor): Descriptor {
  if (entry.annotations === undefined || !Object.hasOwn(entry.annotations, OciAnnotation.RefName))
    return entry;
  const { [OciAnnotation.RefName]: _name, ...rest } = entry.annotations;
  const { annotations: _all, ...plain } = entry;
  return Object.keys(rest).length > 0 ? { ...plain, annotations: rest } : plain;
}

/** Groups index.json entries by digest, collecting their names. */
export function imagesOfIndex(entries: readonly Descriptor[]): SourceImage[] {
  const byDigest = new Map<string, { root: Descriptor; names: string[] }>();
  for (const entry of entries) {
    const name = layoutRefName(entry);
    const existing = byDigest.get(entry.digest);
    if (existing !== undefined) {
      if (name !== undefined) existing.names.push(name);
      continue;
    }
    byDigest.set(entry.digest, { root: withoutRefName(entry), names: name === undefined ? [] : [name] });
  }
  return [...byDigest.values()];
}

/** An OCI layout as an image source. */
export class OciLayoutSource implements ImageSource {
  readonly description: string;
  readonly #files: LayoutFiles;
  readonly #pick: ImagePick;
  readonly #onClose: (() => Promise<void>) | undefined;

  constructor(files: LayoutFiles, pick: ImagePick, onClose?: () => Promise<void>) {
    this.description = files.description;
    this.#files = files;
    this.#pick = pick;
    this.#onClose = onClose;
  }

  async images(): Promise<readonly SourceImage[]> {
    const index = await this.#files.readIndex();
    const pick = this.#pick;
    switch (pick.kind) {
      case 'all':
        return imagesOfIndex(index.manifests);
      case 'name': {
        const found = index.manifests.filter((entry) => layoutRefName(entry) === pick.name);
        if (found.length === 0) throw this.#notFound(`no image named ${JSON.stringify(pick.name)}`, index);
        return imagesOfIndex(found.slice(-1));
      }
      case 'position': {
        const entry = index.manifests[pick.position];
        if (entry === undefined) throw this.#notFound(`no image number ${pick.position}`, index);
        return imagesOfIndex([entry]);
      }
      case 'digest': {
        const entries = index.manifests.filter((entry) => entry.digest === pick.digest);
        if (entries.length > 0) return [{ root: withoutRefName(entries[0]!), names: [] }];
        const file = await this.#files.locateBlob(pick.digest);
        if (file === undefined) throw this.#notFound(`no image ${pick.digest}`, index);
        const probe: Descriptor = { mediaType: '', digest: pick.digest, size: file.size };
        const doc = parseManifestDocument(await readVerified(file, probe, this.description));
        const mediaType =
          doc.kind === 'index'
            ? (doc.index.mediaType ?? 'application/vnd.oci.image.index.v1+json')
            : (doc.manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json');
        return [{ root: { mediaType, digest: pick.digest, size: file.size }, names: [] }];
      }
      default:
        return assertNever(pick, 'image pick');
    }
  }

  #notFound(what: string, index: ImageIndex): KilnError {
    const names = index.manifests.flatMap((entry) => layoutRefName(entry) ?? []);
    return new KilnError(ErrorCode.NotFound, `${this.description}: ${what}`, {
      hint: names.length > 0 ? `it has: ${names.join(', ')}` : 'its index.json names no images',
    });
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    const file = await this.#files.locateBlob(descriptor.digest);
    return file !== undefined && file.size === descriptor.size;
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return openVerified(await this.#require(descriptor), descriptor, this.description);
  }

  async readBlob(descriptor: Descriptor): Promise<Buffer> {
    return readVerified(await this.#require(descriptor), descriptor, this.description);
  }

  async #require(descriptor: Descriptor): Promise<BlobFile> {
    const file = await this.#files.locateBlob(descriptor.digest);
    if (file === undefined) {
      throw new KilnError(ErrorCode.NotFound, `${this.description}: blob ${descriptor.digest} is missing`);
    }
    return file;
  }

  async close(): Promise<void> {
    await this.#onClose?.();
  }
}
