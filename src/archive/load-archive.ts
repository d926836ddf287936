/**
 * `kiln load`: importing an image archive — oci-archive, docker-archive (legacy or docker 25+ form),
 * optionally gzip/zstd compressed — into the store with its tags. The format is detected from the
 * members: `manifest.json` means docker-archive, `oci-layout` + `index.json` an OCI archive.
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { LocalStore } from '../store/local-store.js';
import { type CopyProgress, copyImage } from './copy-image.js';
import { DockerArchiveSource } from './docker-archive-source.js';
import { type ExtractedArchive, extractArchive } from './extract-archive.js';
import { archiveLayout, OciLayoutSource } from './layout-source.js';
import { StoreDestination, type StoredImage } from './store-transport.js';
import type { ImageSource, SourceImage } from './transport.js';

export type ArchiveFormat = 'oci-archive' | 'docker-archive';

/** Which kind of image archive an unpacked archive is (E_INVALID_DOCUMENT when neither). */
export function detectArchiveFormat(archive: ExtractedArchive): ArchiveFormat {
  if (archive.file('manifest.json') !== undefined) return 'docker-archive';
  if (archive.file('oci-layout') !== undefined && archive.file('index.json') !== undefined)
    return 'oci-archive';
  throw new KilnError(
    ErrorCode.InvalidDocument,
    `${archive.source}: not an image archive (neither manifest.json nor oci-layout + index.json)`,
  );
}

/**
 * OCI ref names that can serve as store tags: those that look like references (`busybox:1`,
 * `ghcr.io/o/r:1`). A bare word such as `latest` (skopeo's `oci-archive:FILE:latest`) names no
 * repository, so such images are stored untagged (give `--tag`).
 */
export function storeNamesOf(format: ArchiveFormat, names: readonly string[]): readonly string[] {
  return format === 'docker-archive'
    ? names
    : names.filter((name) => name.includes(':') || name.includes('/'));
}

/** A source whose names are filtered (see `storeNamesOf`). */
function renamed(source: ImageSource, map: (names: readonly string[]) => readonly string[]): ImageSource {
  return {
    description: source.description,
    images: async (): Promise<readonly SourceImage[]> =>
      (await source.images()).map((image) => ({ root: image.root, names: map(image.names) })),
    hasBlob: (d) => source.hasBlob(d),
    openBlob: (d) => source.openBlob(d),
    readBlob: (d) => source.readBlob(d),
    close: () => source.close(),
  };
}

export interface LoadArchiveOptions {
  readonly store: LocalStore;
  readonly file: string;
  /** Name the (single) loaded image this instead of the archive's names. */
  readonly tag?: string;
  /** Parent of the temp directory the archive is unpacked into (default the OS temp dir). */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: CopyProgress) => void;
}

export interface LoadArchiveResult {
  readonly format: ArchiveFormat;
  readonly images: readonly StoredImage[];
}

/** Loads every image of an archive into the store; the store is unchanged when anything fails. */
export async function loadArchive(options: LoadArchiveOptions): Promise<LoadArchiveResult> {
  const archive = await extractArchive(options.file, {
    ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  let format: ArchiveFormat;
  let source: ImageSource;
  try {
    format = detectArchiveFormat(archive);
    const raw =
      format === 'docker-archive'
        ? new DockerArchiveSource(archive, { kind: 'all' })
        : new OciLayoutSource(
            archiveLayout(archive, `oci-archive:${options.file}`),
            { kind: 'all' },
            archive.close,
          );
    source = renamed(raw, (names) => storeNamesOf(format, names));
  } catch (error) {
    await archive.close();
    throw error;
  }
  try {
    const destination = new StoreDestination(options.store, options.tag);
    await copyImage({
      src: source,
      dst: destination,
      ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
    return { format, images: destination.images };
  } finally {
    await source.close();
  }
}
