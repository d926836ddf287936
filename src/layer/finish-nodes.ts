/**
 * The last step of an apply: modes (after owners, since chown clears setuid) and mtimes, deepest paths
 * first so that a directory's mtime is set after its contents changed. Every path is re-checked to be
 * physical (no symlink among its parents inside the root) before it is touched.
 */
import { chmod, lstat, lutimes } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface NodeMeta {
  readonly mode: number;
  readonly mtime: number;
  readonly symlink: boolean;
}

async function isPhysical(root: string, path: string, verified: Map<string, boolean>): Promise<boolean> {
  const parent = dirname(path);
  if (parent === root) return true;
  if (!parent.startsWith(`${root}/`)) return false;
  const known = verified.get(parent);
  if (known !== undefined) return known;
  const stat = await lstat(parent).catch(() => undefined);
  const ok = stat?.isDirectory() === true && (await isPhysical(root, parent, verified));
  verified.set(parent, ok);
  return ok;
}

export async function finishNodes(root: string, nodes: ReadonlyMap<string, NodeMeta>): Promise<void> {
  const verified = new Map<string, boolean>();
  const paths = [...nodes.keys()].sort((a, b) => depth(b) - depth(a));
  for (const path of paths) {
    const meta = nodes.get(path)!;
    if (!(await isPhysical(root, path, verified))) continue;
    const stat = await lstat(path).catch(() => undefined);
    if (stat === undefined) continue;
    if (!stat.isSymbolicLink()) {
      if (meta.symlink) continue;
      await chmod(path, meta.mode);
    }
    await lutimes(path, meta.mtime, meta.mtime);
  }
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}
