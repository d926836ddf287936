/**
 * Turning an op's filesystem state into directories: overlay lowers for a writable rootfs, a
 * read-only view to copy from, and lookups of single paths through stacked lowers.
 */
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareRootfs } from '../snapshot/index.js';
import { ensureChainDir } from './chains.js';
import type { FsState, WorkerEnv } from './types.js';

/** More kept snapshots than this are replaced by one flattened chain directory. */
export const MAX_STACKED_LOWERS = 24;

async function allExist(dirs: readonly string[]): Promise<boolean> {
  const found = await Promise.all(
    dirs.map((d) =>
      stat(d)
        .then((s) => s.isDirectory())
        .catch(() => false),
    ),
  );
  return found.every(Boolean);
}

/** Lower directories (top first) holding `fs`: the kept snapshots when all exist, else a chain dir. */
export async function lowersOf(env: WorkerEnv, fs: FsState): Promise<readonly string[]> {
  // Long stacks are flattened: overlay mount options have a size limit and deep stacks are slow.
  if (fs.lowers !== undefined && fs.lowers.length <= MAX_STACKED_LOWERS && (await allExist(fs.lowers))) {
    return fs.lowers;
  }
  if (fs.diffIDs.length === 0) return [];
  return [await ensureChainDir(env, fs.diffIDs)];
}

/** A read-only tree to read files from; `release` when done. */
export interface TreeView {
  readonly path: string;
  release(): Promise<void>;
}

/** A merged view of `fs`: a directory as it is, an overlay mount, or a flattened chain dir. */
export async function openView(env: WorkerEnv, fs: FsState): Promise<TreeView> {
  const lowers = await lowersOf(env, fs);
  if (lowers.length === 1) return { path: lowers[0]!, release: async () => undefined };
  if (lowers.length === 0) {
    const path = join(env.dirs.work, `empty-${randomUUID()}`);
    await mkdir(path, { recursive: true, mode: 0o755 });
    return { path, release: () => rm(path, { recursive: true, force: true }) };
  }
  const strategy = await env.strategy();
  if (strategy.kind === 'copy') {
    const path = await ensureChainDir(env, fs.diffIDs);
    return { path, release: async () => undefined };
  }
  const prepared = await prepareRootfs({
    strategy,
    lowers,
    id: `view-${randomUUID()}`,
    workRoot: env.dirs.work,
    ...(env.signal === undefined ? {} : { signal: env.signal }),
  });
  return { path: prepared.path, release: () => prepared.cleanup() };
}

/**
 * lstat of an absolute in-image path through lowers (top first), overlay semantics: the first layer
 * holding the path decides; a whiteout (0:0 character device) means absent. Opaque directories and
 * symlinked parents are not followed (good enough for COPY's "is the destination a directory").
 */
export async function lookupInLowers(lowers: readonly string[], path: string): Promise<Stats | undefined> {
  return (await findInLowers(lowers, path))?.stats;
}

/** Like lookupInLowers, with the host path of the layer entry found. */
async function findInLowers(
  lowers: readonly string[],
  path: string,
): Promise<{ readonly stats: Stats; readonly host: string } | undefined> {
  const rel = path.replace(/^\/+/, '');
  if (rel === '') return lowers.length > 0 ? { stats: await stat(lowers[0]!), host: lowers[0]! } : undefined;
  for (const lower of lowers) {
    const host = join(lower, rel);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined) continue;
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    return { stats: st, host };
  }
  return undefined;
}

const MAX_SYMLINKS = 40;

/**
 * Resolves symlinks of an absolute in-image path through lowers, as if the merged tree were `/`
 * (absolute targets restart at the root, `..` stops there): `COPY x /lib/` on an image whose /lib is a
 * symlink to usr/lib writes into /usr/lib instead of hiding the link. Missing components are kept.
 */
export async function resolveInLowers(lowers: readonly string[], path: string): Promise<string> {
  const pending = path.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `/${[...done, part].join('/')}`;
    const found = await findInLowers(lowers, candidate);
    if (found === undefined || !found.stats.isSymbolicLink()) {
      done.push(part);
      if (found === undefined) {
        done.push(...pending.filter((c) => c !== '..'));
        break;
      }
      continue;
    }
    links += 1;
    if (links > MAX_SYMLINKS) return `/${[...done, part, ...pending].join('/')}`;
    const target = await readlink(found.host);
    const parts = target.split('/').filter((c) => c !== '' && c !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...parts);
  }
  return `/${done.join('/')}`;
}
