/**
 * Garbage collection (`kiln prune`): mark from the index.json roots through indexes, manifests,
 * configs and layers (plus compressed variants of kept layers), then sweep unmarked blobs and
 * abandoned temp files.
 *
 * Safety against concurrent writers: GC holds the index lock for the whole mark-and-sweep, so no tag
 * appears mid-way; and a blob a writer stored but has not referenced yet survives because it is either
 * younger than the grace period (writes and re-writes of present blobs refresh the mtime) or held by
 * an active lease (see leases.ts).
 */
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isKilnError } from '../errors.js';
import { type Digest, isDigest } from '../oci/digest.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import { isProcessAlive, tempFileOwner, writeFileAtomic } from './atomic-file.js';
import { readCompressedTable, retainVariants, updateCompressedTable } from './compressed-variants.js';
import { withFileLock } from './file-lock.js';
import { indexLockPath, readIndexFile } from './index-file.js';
import { activeLeaseDigests } from './leases.js';
import { DEFAULT_MAX_DOCUMENT_SIZE, type LocalStore } from './local-store.js';
import { entryRefName } from './resolve-image.js';

/** Default grace period: blobs and temp files younger than this are never swept. */
export const DEFAULT_GC_GRACE_MS = 10 * 60 * 1000;

export interface PruneOptions {
  /** Also drop untagged (dangling) index entries before collecting. */
  readonly all?: boolean;
  /** Blobs/temp files modified less than this long ago are kept. Default 10 minutes. */
  readonly gracePeriodMs?: number;
  /** Report what would go without deleting anything. */
  readonly dryRun?: boolean;
}

export interface PruneResult {
  readonly removedBlobs: readonly Digest[];
  readonly removedTempFiles: number;
  /** Untagged index entries dropped (with `all`). */
  readonly removedImages: readonly Digest[];
  readonly bytesFreed: number;
  /** Unreferenced blobs kept because they are recent or leased. */
  readonly keptUnreferenced: number;
}

/** Collects garbage in the store; see the module comment for the concurrency contract. */
export async function prune(store: LocalStore, options: PruneOptions = {}): Promise<PruneResult> {
  const grace = options.gracePeriodMs ?? DEFAULT_GC_GRACE_MS;
  const paths = store.paths;
  return withFileLock(indexLockPath(paths), async () => {
    const current = await readIndexFile(paths);
    const removedImages = options.all ? current.manifests.filter((m) => entryRefName(m) === undefined) : [];
    const index: ImageIndex =
      removedImages.length > 0
        ? { ...current, manifests: current.manifests.filter((m) => !removedImages.includes(m)) }
        : current;
    if (index !== current && !options.dryRun) {
      await writeFileAtomic(paths.indexFile, `${JSON.stringify(index)}\n`, { tmpDir: paths.tmpDir });
    }
    const marked = await markReachable(store, index.manifests);
    const sweep = await sweepBlobs(store, marked, { graceMs: grace, dryRun: options.dryRun === true });
    const temp = await sweepTemp(paths.tmpDir, { graceMs: grace, dryRun: options.dryRun === true });
    if (!options.dryRun && sweep.removed.length > 0) {
      const gone = new Set(sweep.removed);
      await updateCompressedTable(paths, (table) => retainVariants(table, (d) => !gone.has(d)));
    }
    return {
      removedBlobs: sweep.removed,
      removedTempFiles: temp.count,
      removedImages: removedImages.map((m) => m.digest),
      bytesFreed: sweep.bytes + temp.bytes,
      keptUnreferenced: sweep.kept,
    };
  });
}

/** Every digest reachable from `roots`, including compressed variants of reachable layers. */
export async function markReachable(store: LocalStore, roots: readonly Descriptor[]): Promise<Set<Digest>> {
  const marked = new Set<Digest>();
  const layerKeys = new Set<Digest>();
  const pending: Digest[] = roots.map((r) => r.digest);
  while (pending.length > 0) {
    const digest = pending.pop()!;
    if (marked.has(digest)) continue;
    marked.add(digest);
    const doc = await readLoosely(store, digest);
    if (doc === undefined) continue; // absent (other platforms of a pulled index) or not JSON
    pending.push(...descriptorDigests(doc.manifests));
    const config = descriptorDigests([doc.config])[0];
    const layers = descriptorDigests(doc.layers);
    if (config === undefined) continue;
    marked.add(config);
    for (const layer of layers) {
      marked.add(layer);
      layerKeys.add(layer);
    }
    const rootfs = (await readLoosely(store, config))?.rootfs as { diff_ids?: unknown } | undefined;
    if (Array.isArray(rootfs?.diff_ids)) {
      for (const diffID of rootfs.diff_ids)
        if (typeof diffID === 'string' && isDigest(diffID)) layerKeys.add(diffID);
    }
  }
  const table = await readCompressedTable(store.paths);
  for (const [diffID, variants] of Object.entries(table.layers)) {
    const blobs = Object.values(variants).map((b) => b.digest);
    if (!isDigest(diffID) || !(layerKeys.has(diffID) || blobs.some((d) => layerKeys.has(d)))) continue;
    marked.add(diffID);
    for (const digest of blobs) marked.add(digest);
  }
  return marked;
}

/**
 * A stored JSON document read without schema validation: GC must follow the references of every
 * manifest it keeps, even one a strict validator would refuse, or it would delete that image's layers.
 */
async function readLoosely(store: LocalStore, digest: Digest): Promise<Record<string, unknown> | undefined> {
  const info = await store.statBlob(digest);
  if (info === undefined || info.size > DEFAULT_MAX_DOCUMENT_SIZE) return undefined;
  const head = await readHead(store.blobPath(digest));
  if (head !== '{') return undefined; // layers and other binary blobs: not read in full
  try {
    const value = JSON.parse((await store.readBlob(digest)).toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch (error) {
    if (error instanceof SyntaxError || isKilnError(error)) return undefined;
    throw error;
  }
}

/** The first non-whitespace character of a file (JSON documents start with `{`). */
async function readHead(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('latin1').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}

function descriptorDigests(value: unknown): Digest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((d: unknown) => {
    const digest = (d as { digest?: unknown } | null)?.digest;
    return typeof digest === 'string' && isDigest(digest) ? [digest] : [];
  });
}

interface SweepOptions {
  readonly graceMs: number;
  readonly dryRun: boolean;
}

async function sweepBlobs(
  store: LocalStore,
  marked: ReadonlySet<Digest>,
  options: SweepOptions,
): Promise<{ readonly removed: Digest[]; readonly bytes: number; readonly kept: number }> {
  const candidates: { readonly digest: Digest; readonly path: string }[] = [];
  for (const algorithm of await listDir(store.paths.blobsDir)) {
    for (const hex of await listDir(join(store.paths.blobsDir, algorithm))) {
      const digest = `${algorithm}:${hex}`;
      if (isDigest(digest) && !marked.has(digest))
        candidates.push({ digest, path: join(store.paths.blobsDir, algorithm, hex) });
    }
  }
  // Leases are read after listing: a writer adds a digest to its lease before renaming the blob into
  // place, so every listed blob that a live writer is about to reference is in this set.
  const leased = await activeLeaseDigests(store.paths);
  const removed: Digest[] = [];
  let bytes = 0;
  let kept = 0;
  for (const { digest, path } of candidates) {
    if (leased.has(digest)) {
      kept += 1;
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    if (Date.now() - info.mtimeMs < options.graceMs) {
      kept += 1;
      continue;
    }
    if (!options.dryRun) await rm(path, { force: true });
    removed.push(digest);
    bytes += info.size;
  }
  return { removed, bytes, kept };
}

/**
 * Removes temp files of writers that died (pid in the name no longer alive) at once, and temp files
 * without a live owner once older than the grace period. A live writer's temp file is never removed.
 */
async function sweepTemp(
  tmpDir: string,
  options: SweepOptions,
): Promise<{ readonly count: number; readonly bytes: number }> {
  let count = 0;
  let bytes = 0;
  const now = Date.now();
  for (const name of await listDir(tmpDir)) {
    const path = join(tmpDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    const owner = tempFileOwner(path);
    const alive = owner !== undefined && (owner === process.pid || isProcessAlive(owner));
    if (alive) continue;
    if (owner === undefined && now - info.mtimeMs < options.graceMs) continue;
    if (!options.dryRun) await rm(path, { force: true });
    count += 1;
    bytes += info.size;
  }
  return { count, bytes };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
