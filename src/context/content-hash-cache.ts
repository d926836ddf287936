/**
 * A per-file content digest cache, like BuildKit's contenthash: a file whose (dev, inode, size,
 * mtime ns, ctime ns) are unchanged is not read again. Stored as one JSON file per context root under a
 * caller-given directory, written atomically (temp file + rename; concurrent writers: last one wins,
 * which only loses cache entries, never correctness).
 *
 * Remaining risk, and how it is bounded: file timestamps have the kernel's clock granularity (often a
 * few milliseconds), so a same-size rewrite within one tick of the previous write could keep all five
 * values. Entries are therefore only stored when the file's mtime and ctime are older than
 * `racyWindowMs` (default 1 s) at hashing time ("racy git" rule), and a file that changes while it is
 * read is never stored. Tools that restore mtimes *and* keep inode and ctime (impossible without root
 * changing the clock) are the only way to fool it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';

const FORMAT = 'kiln.content-hash-cache.v1';
/** Files up to this size are read in one call. */
const SMALL_FILE = 1024n * 1024n;

/** The identity of one file version. */
interface FileKey {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** Stored as [dev, ino, size, mtimeNs, ctimeNs, digest], numbers as decimal strings. */
type StoredEntry = readonly [string, string, string, string, string, string];

interface StoredFile {
  readonly format: string;
  readonly root: string;
  readonly entries: Readonly<Record<string, StoredEntry>>;
}

function encodeKey(key: FileKey): [string, string, string, string, string] {
  return [String(key.dev), String(key.ino), String(key.size), String(key.mtimeNs), String(key.ctimeNs)];
}

function sameKey(stored: StoredEntry, key: FileKey): boolean {
  const encoded = encodeKey(key);
  return encoded.every((value, i) => stored[i] === value);
}

function later(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

export interface ContentHashCacheOptions {
  /** Directory for the cache file (created when missing). */
  readonly cacheDir: string;
  /** The context root the cached paths are relative to. */
  readonly root: string;
  /** Files modified more recently than this are hashed but not cached (default 1000 ms). */
  readonly racyWindowMs?: number;
}

/** Counters for tests and benchmarks. */
export interface ContentHashStats {
  readonly hits: number;
  readonly misses: number;
}

/** A loaded cache for one context root. Not shared between concurrent hashing runs in one process. */
export class ContentHashCache {
  readonly #file: string | undefined;
  readonly #root: string;
  readonly #racyWindowNs: bigint;
  readonly #entries: Map<string, StoredEntry>;
  #dirty = false;
  #hits = 0;
  #misses = 0;

  private constructor(
    file: string | undefined,
    root: string,
    racyWindowMs: number,
    entries: Map<string, StoredEntry>,
  ) {
    this.#file = file;
    this.#root = root;
    this.#racyWindowNs = BigInt(Math.round(racyWindowMs * 1e6));
    this.#entries = entries;
  }

  /** Loads (or starts) the cache file for `root`; a corrupt or foreign file is ignored. */
  static async load(options: ContentHashCacheOptions): Promise<ContentHashCache> {
    await mkdir(options.cacheDir, { recursive: true });
    const name = createHash('sha256').update(options.root).digest('hex').slice(0, 32);
    const file = join(options.cacheDir, `content-hash-${name}.json`);
    const entries = new Map<string, StoredEntry>();
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as StoredFile;
      if (parsed.format === FORMAT && parsed.root === options.root && typeof parsed.entries === 'object') {
        for (const [path, entry] of Object.entries(parsed.entries)) {
          if (Array.isArray(entry) && entry.length === 6 && entry.every((v) => typeof v === 'string')) {
            entries.set(path, entry);
          }
        }
      }
    } catch {
      // missing or unreadable: start empty
    }
    return new ContentHashCache(file, options.root, options.racyWindowMs ?? 1000, entries);
  }

  /** A cache that lives only for this run (nothing is read or written on disk). */
  static inMemory(root: string): ContentHashCache {
    return new ContentHashCache(undefined, root, 1000, new Map());
  }

  get stats(): ContentHashStats {
    return { hits: this.#hits, misses: this.#misses };
  }

  /**
   * The sha256 of the regular file at `path` (relative to the root). A cache hit costs one lstat. On a
   * miss the file is opened with O_NOFOLLOW (a file swapped for a symlink fails instead of escaping)
   * and read; small files in one read, large ones streamed.
   */
  async digest(path: string): Promise<Digest> {
    const absolute = join(this.#root, path);
    const before = await lstat(absolute, { bigint: true });
    const key: FileKey = {
      dev: before.dev,
      ino: before.ino,
      size: before.size,
      mtimeNs: before.mtimeNs,
      ctimeNs: before.ctimeNs,
    };
    const stored = this.#entries.get(path);
    if (before.isFile() && stored !== undefined && sameKey(stored, key)) {
      this.#hits++;
      return stored[5] as Digest;
    }
    this.#misses++;
    const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
      throw new KilnError(ErrorCode.Context, `${JSON.stringify(path)} changed while the context was read`, {
        cause: error,
      });
    });
    try {
      const hash = createHash('sha256');
      if (before.size <= SMALL_FILE) {
        hash.update(await handle.readFile());
      } else {
        for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) {
          hash.update(chunk as Buffer);
        }
      }
      const digest = `sha256:${hash.digest('hex')}` as Digest;
      const after = await handle.stat({ bigint: true });
      const now = BigInt(Date.now()) * 1_000_000n;
      const newest = later(after.mtimeNs, after.ctimeNs);
      const unchanged =
        after.ino === key.ino &&
        after.dev === key.dev &&
        after.size === key.size &&
        after.mtimeNs === key.mtimeNs &&
        after.ctimeNs === key.ctimeNs;
      if (unchanged && now - newest > this.#racyWindowNs) {
        this.#entries.set(path, [...encodeKey(key), digest]);
        this.#dirty = true;
      } else if (stored !== undefined) {
        this.#entries.delete(path);
        this.#dirty = true;
      }
      return digest;
    } finally {
      await handle.close();
    }
  }

  /** Writes the cache back (atomically) when anything changed. */
  async save(): Promise<void> {
    if (!this.#dirty || this.#file === undefined) return;
    const data: StoredFile = { format: FORMAT, root: this.#root, entries: Object.fromEntries(this.#entries) };
    // A unique temp name: selections of one build are hashed in parallel and save the same file.
    const temp = `${this.#file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(data));
      await rename(temp, this.#file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    this.#dirty = false;
  }
}
