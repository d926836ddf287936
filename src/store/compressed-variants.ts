/**
 * Bookkeeping for deferred compression: kiln stores layers uncompressed (keyed by diffID) and records
 * here, once made, the compressed blob for each algorithm, so push and export reuse it.
 * File: `kiln/compressed.json` = `{"version":1,"layers":{"<diffID>":{"gzip":{digest,size},...}}}`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import type { StorePaths } from './store-paths.js';
import type { BlobInfo } from './types.js';

/** Compression algorithms a variant can be recorded for. */
export type CompressionAlgorithm = 'gzip' | 'zstd';

export const COMPRESSION_ALGORITHMS: readonly CompressionAlgorithm[] = ['gzip', 'zstd'];

export type CompressedVariants = Readonly<Partial<Record<CompressionAlgorithm, BlobInfo>>>;

export interface CompressedTable {
  readonly version: 1;
  readonly layers: Readonly<Record<string, CompressedVariants>>;
}

export interface CompressedRecord {
  /** Digest of the uncompressed layer tar. */
  readonly diffID: Digest;
  readonly algorithm: CompressionAlgorithm;
  /** The compressed blob (already written to the store). */
  readonly blob: BlobInfo;
}

const EMPTY: CompressedTable = { version: 1, layers: {} };

export async function readCompressedTable(paths: StorePaths): Promise<CompressedTable> {
  let text: string;
  try {
    text = await readFile(paths.compressedFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new KilnError(ErrorCode.Store, `cannot read ${paths.compressedFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const value = JSON.parse(text) as CompressedTable;
    if (value.version !== 1 || typeof value.layers !== 'object' || value.layers === null)
      throw new Error('shape');
    return value;
  } catch (error) {
    throw new KilnError(ErrorCode.Store, `corrupt ${paths.compressedFile}`, {
      cause: error,
      hint: 'delete the file; compressed layers are then made again when needed',
    });
  }
}

/** Read-modify-write of the table under its own inter-process lock. */
export async function updateCompressedTable(
  paths: StorePaths,
  mutate: (table: CompressedTable) => CompressedTable,
): Promise<CompressedTable> {
  return withFileLock(join(paths.locksDir, 'compressed.lock'), async () => {
    const current = await readCompressedTable(paths);
    const next = mutate(current);
    if (next !== current) {
      await writeFileAtomic(paths.compressedFile, `${JSON.stringify(next)}\n`, { tmpDir: paths.tmpDir });
    }
    return next;
  });
}

/** Adds (or replaces) one variant. */
export function withVariant(table: CompressedTable, record: CompressedRecord): CompressedTable {
  const existing = table.layers[record.diffID] ?? {};
  return {
    version: 1,
    layers: { ...table.layers, [record.diffID]: { ...existing, [record.algorithm]: record.blob } },
  };
}

/** Keeps only variants whose compressed blob is in `present` (and layers that still have one). */
export function retainVariants(
  table: CompressedTable,
  present: (digest: Digest) => boolean,
): CompressedTable {
  const layers: Record<string, CompressedVariants> = {};
  let changed = false;
  for (const [diffID, variants] of Object.entries(table.layers)) {
    const kept: Partial<Record<CompressionAlgorithm, BlobInfo>> = {};
    for (const algorithm of COMPRESSION_ALGORITHMS) {
      const blob = variants[algorithm];
      if (blob === undefined) continue;
      if (present(blob.digest)) kept[algorithm] = blob;
      else changed = true;
    }
    if (Object.keys(kept).length > 0) layers[diffID] = kept;
    else changed = true;
  }
  return changed ? { version: 1, layers } : table;
}
