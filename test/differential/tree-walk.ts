/**
 * The flattened file tree of an unpacked image as canonical data: one entry per path (sorted, relative
 * to the root, `/`-prefixed) with type, permission bits, owner, size, content digest and link target.
 * Timestamps are left out on purpose: they differ between builders and runs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The file types a layer can carry. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** One path of the tree. `size` and `sha256` only for files, `target` only for symlinks. */
export interface TreeEntry {
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits incl. setuid/setgid/sticky, as 4 octal digits (e.g. `0755`). */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
}

function entryType(stats: Awaited<ReturnType<typeof lstat>>): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}

async function describe(root: string, rel: string): Promise<TreeEntry> {
  const full = join(root, rel);
  const stats = await lstat(full);
  const type = entryType(stats);
  const base = {
    path: `/${rel}`,
    type,
    mode: (Number(stats.mode) & 0o7777).toString(8).padStart(4, '0'),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
  };
  if (type === 'file') return { ...base, size: Number(stats.size), sha256: await fileDigest(full) };
  if (type === 'symlink') return { ...base, target: await readlink(full) };
  return base;
}

/** Walks `root` (not included itself) depth-first; entries sorted by path. */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const entry = await describe(root, child);
      out.push(entry);
      if (entry.type === 'dir') await visit(child);
    }
  };
  await visit('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
