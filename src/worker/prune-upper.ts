/**
 * The executor makes mount points (/etc/hosts, /proc, bind targets…) in the rootfs and removes them
 * afterwards; overlayfs has meanwhile copied their parent directories up. A parent left empty and
 * identical to the lower directory (type, mode, owner, mtime, no opaque marker) is no change of the
 * step, so it is removed from the upper dir before the diff — as BuildKit's layers do not show it.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { lookupInLowers } from './trees.js';

/** True unless getfattr shows no opaque marker (unknown counts as opaque: then nothing is pruned). */
function mayBeOpaque(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('getfattr', ['-h', '-d', '-m', '-', '--absolute-names', path], (error, stdout) => {
      if (error !== null) resolve(true);
      else resolve(/opaque/i.test(stdout));
    });
  });
}

/** Ancestors of in-image paths, deepest first (never `/`). */
export function parentDirs(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    for (let dir = posix.dirname(posix.normalize(`/${path}`)); dir !== '/'; dir = posix.dirname(dir))
      out.add(dir);
  }
  return [...out].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1));
}

/** Removes copied-up, unchanged, empty parents of `mountPoints` from `upper`. */
export async function pruneMountPointParents(
  upper: string,
  lowers: readonly string[],
  mountPoints: readonly string[],
): Promise<void> {
  for (const dir of parentDirs(mountPoints)) {
    const host = join(upper, dir);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) continue;
    if ((await readdir(host)).length > 0) continue;
    const lower = await lookupInLowers(lowers, dir);
    if (lower === undefined || !lower.isDirectory()) continue;
    if (
      lower.mode !== st.mode ||
      lower.uid !== st.uid ||
      lower.gid !== st.gid ||
      lower.mtimeMs !== st.mtimeMs
    )
      continue;
    if (await mayBeOpaque(host)) continue;
    await rmdir(host).catch(() => undefined);
  }
}
