/**
 * The last step of an apply: modes (after owners, since chown clears setuid) and mtimes, deepest paths
 * first so that a directory's mtime is set after its contents changed. Every path is re-checked to be
 * physical (no symlink among its parents inside the root) before it is touched. Sync calls: one
 * syscall per node, far cheaper than a thread-pool round trip each (see apply.ts).
 */
import { chmodSync, lstatSync, lutimesSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NodeMeta {
  readonly mode: number;
  readonly mtime: number;
  readonly symlink: boolean;
}

function isPhysical(root: string, path: string, verified: Map<string, boolean>): boolean {
  const parent = dirname(path);
  if (parent === root) return true;
  if (!parent.startsWith(`${root}/`)) return false;
  const known = verified.get(parent);
  if (known !== undefined) return known;
  const stat = lstatSync(parent, { throwIfNoEntry: false });
  const ok = stat?.isDirectory() === true && isPhysical(root, parent, verified);
  verified.set(parent, ok);
  return ok;
}

export interface FinishOptions {
  /**
   * Nothing was removed or replaced during the apply, so every recorded path is still the node the
   * apply made under a physical parent: the per-node checks (two lstats) are skipped.
   */
  readonly unchanged?: boolean;
}

/** Sets modes and mtimes of `nodes`, deepest first. */
export async function finishNodes(
  root: string,
  nodes: ReadonlyMap<string, NodeMeta>,
  options: FinishOptions = {},
): Promise<void> {
  const verified = new Map<string, boolean>();
  const paths = [...nodes.keys()]
    .map((path) => ({ path, depth: depth(path) }))
    .sort((a, b) => b.depth - a.depth);
  for (const { path } of paths) {
    const meta = nodes.get(path)!;
    let symlink = meta.symlink;
    if (options.unchanged !== true) {
      if (!isPhysical(root, path, verified)) continue;
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (stat === undefined || (meta.symlink && !stat.isSymbolicLink())) continue;
      symlink = stat.isSymbolicLink();
    }
    if (!symlink) chmodSync(path, meta.mode);
    lutimesSync(path, meta.mtime, meta.mtime);
  }
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}
