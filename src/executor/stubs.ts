/**
 * Mount points kiln has to create in a rootfs (so that something can be mounted there) are "stubs":
 * they are recorded when created and removed after the step, so they never end up in a layer.
 */
import { lstat, mkdir, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { insidePath, resolveInRoot } from './in-root.js';

/** The kind of node a mount needs at its target. */
export type MountPointKind = 'dir' | 'file';

export interface EnsuredMountPoint {
  /** The target's host path (symlinks already resolved inside the rootfs). */
  readonly hostPath: string;
  /** Inside paths created for it, outermost first. */
  readonly created: readonly string[];
}

/** Makes sure `target` exists in the rootfs as a directory or file, recording what had to be created. */
export async function ensureMountPoint(root: string, target: string, kind: MountPointKind): Promise<EnsuredMountPoint> {
  const hostPath = await resolveInRoot(root, target);
  const created: string[] = [];
  const existing = await lstat(hostPath).catch(() => undefined);
  if (existing !== undefined) {
    const ok = kind === 'dir' ? existing.isDirectory() : !existing.isDirectory();
    if (!ok) {
      throw new KilnError(ErrorCode.Executor, `cannot mount a ${kind} on ${target}: it exists as another type`);
    }
    return { hostPath, created };
  }
  const missing: string[] = [];
  for (let p = dirname(hostPath); p.length > root.length; p = dirname(p)) {
    const st = await lstat(p).catch(() => undefined);
    if (st !== undefined) {
      if (!st.isDirectory()) {
        throw new KilnError(ErrorCode.Executor, `cannot mount on ${target}: ${insidePath(root, p)} is not a directory`);
      }
      break;
    }
    missing.unshift(p);
  }
  for (const dir of missing) {
    await mkdir(dir, { mode: 0o755 });
    created.push(insidePath(root, dir));
  }
  if (kind === 'dir') await mkdir(hostPath, { mode: 0o755 });
  else await writeFile(hostPath, '', { mode: 0o644, flag: 'wx' });
  created.push(insidePath(root, hostPath));
  return { hostPath, created };
}

/**
 * Removes stubs (innermost first) when they are still an empty directory or an empty file; returns
 * the ones that had to be kept (the command wrote into them).
 */
export async function removeStubs(root: string, created: readonly string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const inside of [...created].reverse()) {
    const host = `${root}${inside}`;
    try {
      const st = await lstat(host);
      if (st.isDirectory()) {
        if ((await readdir(host)).length > 0) throw new Error('not empty');
        await rmdir(host);
      } else if (st.isFile() && st.size === 0) {
        await unlink(host);
      } else {
        kept.push(inside);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') kept.push(inside);
    }
  }
  return kept.reverse();
}
