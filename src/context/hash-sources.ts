/**
 * Cache keys for COPY/ADD sources: a digest over what lands in the image — for every selected entry its
 * destination-relative path, type, permission bits (incl. setuid/setgid/sticky), symlink target and
 * content sha256 — plus the patterns and selection options. Host mtimes and owners are left out (COPY
 * resets owners to 0:0 unless --chown, which belongs to the instruction's own key).
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../oci/digest.js';
import { ContentHashCache, type ContentHashStats } from './content-hash-cache.js';
import { listSelection, type SourceSelection } from './sources.js';

/** Versioned so that a change in the canonical form can never collide with old keys. */
export const SOURCE_HASH_VERSION = 'kiln.copy-sources.v1';

/** How many file digests may be in flight at once. */
const PARALLEL = 16;

export interface HashSourcesOptions {
  /** Directory for the per-file content-hash cache; without it every file is read. */
  readonly cacheDir?: string;
  /** See ContentHashCache (default 1000 ms). */
  readonly racyWindowMs?: number;
  readonly signal?: AbortSignal;
}

export interface SourcesHash {
  readonly digest: Digest;
  /** Number of entries hashed. */
  readonly entries: number;
  /** Content-hash cache hits and misses (regular files only). */
  readonly cache: ContentHashStats;
}

/** Hashes a selection; see the module comment for what is covered. */
export async function hashSourcesDetailed(
  selection: SourceSelection,
  options: HashSourcesOptions = {},
): Promise<SourcesHash> {
  const root = selection.context.root;
  const cache =
    options.cacheDir === undefined
      ? ContentHashCache.inMemory(root)
      : await ContentHashCache.load({
          cacheDir: options.cacheDir,
          root,
          ...(options.racyWindowMs === undefined ? {} : { racyWindowMs: options.racyWindowMs }),
        });
  const hash = createHash('sha256');
  hash.update(
    `${JSON.stringify({ v: SOURCE_HASH_VERSION, patterns: selection.patterns, options: selection.options })}\n`,
  );
  // Digests are computed up to PARALLEL files ahead, but fed to the hash strictly in listing order.
  const pending: { readonly record: readonly unknown[]; readonly content: Promise<string> }[] = [];
  const flush = async (): Promise<void> => {
    const head = pending.shift()!;
    hash.update(`${JSON.stringify([...head.record, await head.content])}\n`);
  };
  let entries = 0;
  try {
    for await (const entry of listSelection(selection, options.signal)) {
      const content: Promise<string> =
        entry.type === 'file' ? cache.digest(entry.sourcePath.slice(root.length + 1)) : Promise.resolve('');
      content.catch(() => {});
      pending.push({ record: [entry.target, entry.type, entry.mode.toString(8), entry.linkTarget], content });
      entries++;
      if (pending.length >= PARALLEL) await flush();
    }
    while (pending.length > 0) await flush();
  } finally {
    await Promise.allSettled(pending.map((p) => p.content));
  }
  await cache.save();
  return {
    digest: `sha256:${hash.digest('hex')}` as Digest,
    entries,
    cache: cache.stats,
  };
}

/** The cache-key digest of a selection. */
export async function hashSources(
  selection: SourceSelection,
  options: HashSourcesOptions = {},
): Promise<Digest> {
  return (await hashSourcesDetailed(selection, options)).digest;
}
