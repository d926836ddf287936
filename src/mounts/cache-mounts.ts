/**
 * `RUN --mount=type=cache` directories, persistent across builds and never part of a layer, under a
 * caller-given root (`<kiln root>/cache-mounts`). Layout (versioned):
 *
 *     v1/root.lock                 prune holds it exclusively; acquirers share it while acquiring
 *     v1/<key>/meta.json           { id, seedKey, created, lastUsed }
 *     v1/<key>/data[-N]            the cache directories (data-N: extra dirs of `sharing=private`)
 *     v1/<key>/data[-N].lock       flock: shared by `shared` users, exclusive for `locked`/`private`
 *     v1/<key>/init.lock           serialises creating + seeding a directory
 *
 * `<key>` = sha256 of the id and the seed key. Sharing, as in BuildKit: `shared` — every user gets the
 * same directory at once; `locked` — one user at a time, across processes (others wait); `private` —
 * the first free directory of a pool, a new one when all are in use. Mode/uid/gid apply when a
 * directory is created; `from`/`source` seed a new directory with a copy of a given host directory.
 */

import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CacheMount, CacheSharing } from '../dockerfile/instructions/types.js';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import type { Mount } from '../executor/types.js';
import { type HeldLock, lockFile } from './process-lock.js';

const run = promisify(execFile);
const LAYOUT = 'v1';

/** A seed for a new cache directory: a host directory (another stage's files) and a stable key for it. */
export interface CacheSeed {
  readonly dir: string;
  /** Identifies the seed's content (e.g. stage digest + source path); part of the cache key. */
  readonly key: string;
}

export interface AcquireCacheMountOptions {
  readonly mount: CacheMount;
  /** The resolved `from`/`source` (only used when the directory is created). */
  readonly seed?: CacheSeed;
  readonly signal?: AbortSignal;
}

/** A cache directory in use by one step; `release` after the step. */
export interface CacheMountLease {
  /** The executor mount (a bind of `path`, read-only for `ro`). */
  readonly mount: Mount;
  readonly path: string;
  release(): Promise<void>;
}

export interface CacheMountInfo {
  readonly id: string;
  readonly key: string;
  readonly seedKey?: string;
  /** Apparent size of all the entry's directories, in bytes. */
  readonly bytes: number;
  readonly directories: number;
  readonly lastUsed?: string;
}

export interface CachePruneResult {
  readonly removed: readonly CacheMountInfo[];
  /** Entries in use at prune time (kept). */
  readonly busy: readonly string[];
}

interface Meta {
  readonly id: string;
  readonly seedKey?: string;
  readonly created: string;
  readonly lastUsed: string;
}

export interface CacheMountManagerOptions {
  /** The cache-mounts directory (created when missing). */
  readonly root: string;
  /** PATH for flock and cp (default /usr/bin:/bin). */
  readonly pathVar?: string;
}

/** Manages the cache directories under one root. */
export class CacheMountManager {
  readonly #base: string;
  readonly #pathVar: string;

  constructor(options: CacheMountManagerOptions) {
    this.#base = join(options.root, LAYOUT);
    this.#pathVar = options.pathVar ?? '/usr/bin:/bin';
  }

  /** The cache key of an id (+ seed key). */
  static keyOf(id: string, seedKey?: string): string {
    return createHash('sha256')
      .update(`${id}\0${seedKey ?? ''}`)
      .digest('hex');
  }

  #lock(path: string, mode: 'shared' | 'exclusive', wait: boolean, signal?: AbortSignal) {
    return lockFile(path, { mode, wait, signal, pathVar: this.#pathVar });
  }

  /** Gets the directory for a step's cache mount, creating (and seeding) it if needed. */
  async acquire(options: AcquireCacheMountOptions): Promise<CacheMountLease> {
    const { mount, seed, signal } = options;
    const key = CacheMountManager.keyOf(mount.id, seed?.key);
    const entry = join(this.#base, key);
    await mkdir(this.#base, { recursive: true });
    const rootLock = await this.#lock(join(this.#base, 'root.lock'), 'shared', true, signal);
    let held: { lock: HeldLock; name: string } | undefined;
    try {
      // Under root.lock: prune cannot remove the entry between here and taking its lock.
      await mkdir(entry, { recursive: true });
      held = await this.#takeDirectory(entry, mount.sharing, signal);
      const path = join(entry, held.name);
      await this.#ensureDirectory({ entry, path, mount, seed, signal });
      await this.#touchMeta(entry, mount.id, seed?.key);
    } catch (error) {
      await held?.lock.release();
      throw error;
    } finally {
      await rootLock!.release();
    }
    const lock = held.lock;
    const path = join(entry, held.name);
    return {
      path,
      mount: { kind: 'bind', source: path, target: mount.target, readonly: mount.readOnly },
      release: () => lock.release(),
    };
  }

  async #takeDirectory(
    entry: string,
    sharing: CacheSharing,
    signal?: AbortSignal,
  ): Promise<{ lock: HeldLock; name: string }> {
    switch (sharing) {
      case 'shared':
        return { lock: (await this.#lock(join(entry, 'data.lock'), 'shared', true, signal))!, name: 'data' };
      case 'locked':
        return {
          lock: (await this.#lock(join(entry, 'data.lock'), 'exclusive', true, signal))!,
          name: 'data',
        };
      case 'private':
        for (let n = 0; ; n++) {
          const name = n === 0 ? 'data' : `data-${n}`;
          const lock = await this.#lock(join(entry, `${name}.lock`), 'exclusive', false, signal);
          if (lock !== undefined) return { lock, name };
          if (n > 4096)
            throw new KilnError(ErrorCode.Executor, `too many concurrent private cache users of ${entry}`);
        }
      default:
        return assertNever(sharing, 'cache sharing');
    }
  }

  async #ensureDirectory(o: {
    entry: string;
    path: string;
    mount: CacheMount;
    seed?: CacheSeed;
    signal?: AbortSignal;
  }): Promise<void> {
    if (await isDirectory(o.path)) return;
    const init = await this.#lock(join(o.entry, 'init.lock'), 'exclusive', true, o.signal);
    try {
      if (await isDirectory(o.path)) return;
      const temp = join(o.entry, `.new-${randomUUID()}`);
      try {
        await mkdir(temp);
        if (o.seed !== undefined) {
          await run('cp', ['-a', '--reflink=auto', '--', `${o.seed.dir}/.`, `${temp}/`], {
            env: { PATH: this.#pathVar },
          }).catch((cause: unknown) => {
            throw new KilnError(ErrorCode.Executor, `cannot seed cache ${o.mount.id} from ${o.seed!.dir}`, {
              cause,
            });
          });
        }
        if ((process.getuid?.() ?? 0) !== o.mount.uid || (process.getgid?.() ?? 0) !== o.mount.gid) {
          await chown(temp, o.mount.uid, o.mount.gid).catch((cause: unknown) => {
            throw new KilnError(
              ErrorCode.Executor,
              `cache ${o.mount.id}: cannot give the directory to ${o.mount.uid}:${o.mount.gid}`,
              { cause },
            );
          });
        }
        await chmod(temp, o.mount.mode & 0o7777);
        await rename(temp, o.path);
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    } finally {
      await init!.release();
    }
  }

  async #touchMeta(entry: string, id: string, seedKey: string | undefined): Promise<void> {
    const old = await readMeta(entry);
    const now = new Date().toISOString();
    const meta: Meta = {
      id,
      ...(seedKey === undefined ? {} : { seedKey }),
      created: old?.created ?? now,
      lastUsed: now,
    };
    const temp = join(entry, `.meta-${randomUUID()}`);
    await writeFile(temp, `${JSON.stringify(meta)}\n`);
    await rename(temp, join(entry, 'meta.json'));
  }

  /** Every cache entry with its size. */
  async list(): Promise<readonly CacheMountInfo[]> {
    const keys = await readdir(this.#base).catch(() => [] as string[]);
    const out: CacheMountInfo[] = [];
    for (const key of keys.filter((k) => /^[0-9a-f]{64}$/.test(k)).sort()) {
      const info = await this.#info(key);
      if (info !== undefined) out.push(info);
    }
    return out;
  }

  async #info(key: string): Promise<CacheMountInfo | undefined> {
    const entry = join(this.#base, key);
    const meta = await readMeta(entry);
    if (meta === undefined) return undefined;
    const dirs = (await readdir(entry).catch(() => [] as string[])).filter((n) => /^data(-\d+)?$/.test(n));
    let bytes = 0;
    for (const d of dirs) bytes += await apparentSize(join(entry, d));
    return {
      id: meta.id,
      key,
      ...(meta.seedKey === undefined ? {} : { seedKey: meta.seedKey }),
      bytes,
      directories: dirs.length,
      lastUsed: meta.lastUsed,
    };
  }

  /** Removes every cache entry not in use (entries in use are reported as busy and kept). */
  async prune(options: { readonly signal?: AbortSignal } = {}): Promise<CachePruneResult> {
    await mkdir(this.#base, { recursive: true });
    const rootLock = await this.#lock(join(this.#base, 'root.lock'), 'exclusive', true, options.signal);
    try {
      const removed: CacheMountInfo[] = [];
      const busy: string[] = [];
      for (const key of (await readdir(this.#base)).filter((k) => /^[0-9a-f]{64}$/.test(k))) {
        const entry = join(this.#base, key);
        const names = await readdir(entry).catch(() => [] as string[]);
        const locks: HeldLock[] = [];
        let inUse = false;
        try {
          for (const lockName of names.filter((n) => n.endsWith('.lock'))) {
            const lock = await this.#lock(join(entry, lockName), 'exclusive', false, options.signal);
            if (lock === undefined) {
              inUse = true;
              break;
            }
            locks.push(lock);
          }
          if (inUse) {
            busy.push((await readMeta(entry))?.id ?? key);
            continue;
          }
          const info = await this.#info(key);
          // No one can be waiting on these lock files: acquirers open them only under root.lock.
          await rm(entry, { recursive: true, force: true });
          if (info !== undefined) removed.push(info);
        } finally {
          await Promise.all(locks.map((l) => l.release()));
        }
      }
      return { removed, busy };
    } finally {
      await rootLock!.release();
    }
  }
}

/** Lists the cache mounts under `root` (for `kiln prune` / `kiln df`). */
export function listCacheMounts(root: string): Promise<readonly CacheMountInfo[]> {
  return new CacheMountManager({ root }).list();
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function readMeta(entry: string): Promise<Meta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(entry, 'meta.json'), 'utf8')) as Meta;
    return typeof meta.id === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

async function apparentSize(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[]))
    total += await apparentSize(join(path, name));
  return total;
}
