/**
 * The layout's `index.json`: read, and read-modify-write under the index lock with an atomic rename.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { isDigest } from '../oci/digest.js';
import { OciMediaType } from '../oci/media-types.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { type FileLockOptions, withFileLock } from './file-lock.js';
import type { StorePaths } from './store-paths.js';

/** An index with no entries. */
export const EMPTY_INDEX: ImageIndex = {
  schemaVersion: 2,
  mediaType: OciMediaType.ImageIndex,
  manifests: [],
};

export function indexLockPath(paths: StorePaths): string {
  return join(paths.locksDir, 'index.lock');
}

/** Reads index.json (missing → empty index; unreadable → E_STORE). */
export async function readIndexFile(paths: StorePaths): Promise<ImageIndex> {
  let text: string;
  try {
    text = await readFile(paths.indexFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_INDEX;
    throw new KilnError(ErrorCode.Store, `cannot read ${paths.indexFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseIndex(text, paths.indexFile);
}

function parseIndex(text: string, file: string): ImageIndex {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new KilnError(ErrorCode.Store, `corrupt ${file}: not JSON`, { cause: error });
  }
  const index = value as Partial<ImageIndex> | null;
  if (
    index === null ||
    typeof index !== 'object' ||
    index.schemaVersion !== 2 ||
    !Array.isArray(index.manifests) ||
    !index.manifests.every(isDescriptorLike)
  ) {
    throw new KilnError(ErrorCode.Store, `corrupt ${file}: not an OCI image index`);
  }
  return index as ImageIndex;
}

function isDescriptorLike(value: unknown): value is Descriptor {
  const d = value as Partial<Descriptor> | null;
  return (
    d !== null &&
    typeof d === 'object' &&
    typeof d.mediaType === 'string' &&
    typeof d.digest === 'string' &&
    isDigest(d.digest) &&
    typeof d.size === 'number'
  );
}

/**
 * Applies `mutate` to the current index under the inter-process index lock and writes the result
 * atomically (skipped when `mutate` returns the same object). Returns the index now on disk.
 */
export async function updateIndexFile(
  paths: StorePaths,
  mutate: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>,
  lockOptions: FileLockOptions = {},
): Promise<ImageIndex> {
  return withFileLock(
    indexLockPath(paths),
    async () => {
      const current = await readIndexFile(paths);
      const next = await mutate(current);
      if (next !== current) {
        await writeFileAtomic(paths.indexFile, `${JSON.stringify(next)}\n`, { tmpDir: paths.tmpDir });
      }
      return next;
    },
    lockOptions,
  );
}
