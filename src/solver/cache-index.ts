/**
 * The build cache index: op cache key → the layer the op produced, one small JSON file per key under
 * `<kilnRoot>/cache/index/v<N>/<key hex>.json` (written atomically, so concurrent builds never see a
 * torn record; the last writer of a key wins, and every writer of a key writes an equivalent record).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { type Digest, isDigest, parseDigest } from '../oci/digest.js';
import { writeFileAtomic } from '../store/atomic-file.js';

/** Format of the records; a new format lives in a new directory and never reads old records. */
export const CACHE_INDEX_VERSION = 1;

/** What the cache remembers about one exec/file op. */
export interface CacheRecord {
  /** The uncompressed layer's digest (its blob in the store has the same digest). */
  readonly diffID: Digest;
  readonly size: number;
  /** True when the op changed nothing: no layer goes into the image (history gets `empty_layer`). */
  readonly emptyLayer: boolean;
  /** When the layer was first made (history `created` of cached rebuilds, as BuildKit does). */
  readonly createdAt: string;
}

/** Opens the index of a kiln root (its directories are created on first write). */
export function openCacheIndex(kilnRoot: string): CacheIndex {
  return new CacheIndex(
    join(kilnRoot, 'cache', 'index', `v${CACHE_INDEX_VERSION}`),
    join(kilnRoot, 'cache', 'tmp'),
  );
}

/** The on-disk key → record map. */
export class CacheIndex {
  readonly dir: string;
  readonly #tmpDir: string;

  constructor(dir: string, tmpDir: string) {
    this.dir = dir;
    this.#tmpDir = tmpDir;
  }

  #path(key: string): string {
    const { hex } = parseDigest(key);
    return join(this.dir, `${hex}.json`);
  }

  /** The record of `key`, or undefined (absent, or unreadable: a damaged record is a miss). */
  async get(key: string): Promise<CacheRecord | undefined> {
    const path = this.#path(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new KilnError(ErrorCode.Store, `cannot read cache record ${key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseRecord(text);
  }

  /** Forgets `key` (absent is fine), e.g. when the layer it names leaked a build secret. */
  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  /** Stores the record of `key` (atomic replace). */
  async put(key: string, record: CacheRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const data = `${JSON.stringify({ version: CACHE_INDEX_VERSION, key, ...record })}\n`;
    await writeFileAtomic(this.#path(key), data, { tmpDir: this.#tmpDir });
  }
}

function parseRecord(text: string): CacheRecord | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (
      value.version !== CACHE_INDEX_VERSION ||
      typeof value.diffID !== 'string' ||
      !isDigest(value.diffID) ||
      typeof value.size !== 'number' ||
      typeof value.emptyLayer !== 'boolean' ||
      typeof value.createdAt !== 'string'
    ) {
      return undefined;
    }
    return {
      diffID: value.diffID as Digest,
      size: value.size,
      emptyLayer: value.emptyLayer,
      createdAt: value.createdAt,
    };
  } catch {
    return undefined;
  }
}
