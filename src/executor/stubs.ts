/**
 * Mount points kiln has to create in a rootfs (so that something can be mounted there) are "stubs":
 * they are recorded when created and removed after the step, and the timestamps of the directories
 * they were created in are restored (when the command did not change those directories itself), so
 * that neither the stubs nor their traces end up in a layer.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { insidePath, resolveInRoot } from './in-root.js';

/** The kind of node a mount needs at its target. */
export type MountPointKind = 'dir' | 'file';

interface ParentTimes {
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  /** mtime right after kiln's last stub creation in it. */
  postMtimeNs: bigint;
}

function formatNs(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `@${seconds}.${fraction}`;
}

function touch(args: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('touch', args, { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** Creates mount points in one rootfs and undoes them afterwards. */
export class StubRecorder {
  readonly #root: string;
  readonly #created: string[] = [];
  readonly #parents = new Map<string, ParentTimes>();

  constructor(root: string) {
    this.#root = root;
  }

  /** Inside paths created so far, outermost first. */
  get created(): readonly string[] {
    return this.#created;
  }

  /** Makes sure `target` exists as a directory or file; returns its host path (symlinks resolved). */
  async ensure(target: string, kind: MountPointKind): Promise<string> {
    const root = this.#root;
    const hostPath = await resolveInRoot(root, target);
    const existing = await lstat(hostPath).catch(() => undefined);
    if (existing !== undefined) {
      const ok = kind === 'dir' ? existing.isDirectory() : !existing.isDirectory();
      if (!ok) {
        throw new KilnError(
          ErrorCode.Executor,
          `cannot mount a ${kind} on ${target}: it exists as another type`,
        );
      }
      return hostPath;
    }
    const missing: string[] = [];
    let anchor = root;
    for (let p = dirname(hostPath); p.length > root.length; p = dirname(p)) {
      const st = await lstat(p).catch(() => undefined);
      if (st !== undefined) {
        if (!st.isDirectory()) {
          throw new KilnError(
            ErrorCode.Executor,
            `cannot mount on ${target}: ${insidePath(root, p)} is not a directory`,
          );
        }
        anchor = p;
        break;
      }
      missing.unshift(p);
    }
    const before = await lstat(anchor, { bigint: true });
    for (const dir of missing) {
      await mkdir(dir, { mode: 0o755 });
      this.#created.push(insidePath(root, dir));
    }
    if (kind === 'dir') await mkdir(hostPath, { mode: 0o755 });
    else await writeFile(hostPath, '', { mode: 0o644, flag: 'wx' });
    this.#created.push(insidePath(root, hostPath));
    const after = await lstat(anchor, { bigint: true });
    const known = this.#parents.get(anchor);
    if (known === undefined) {
      this.#parents.set(anchor, {
        atimeNs: before.atimeNs,
        mtimeNs: before.mtimeNs,
        postMtimeNs: after.mtimeNs,
      });
    } else {
      known.postMtimeNs = after.mtimeNs;
    }
    return hostPath;
  }

  /**
   * Removes the stubs (innermost first) that are still an empty directory or an empty file, restores
   * the timestamps of untouched parent directories, and returns the stubs that had to be kept.
   */
  async undo(): Promise<string[]> {
    const untouched: [string, ParentTimes][] = [];
    for (const [path, times] of this.#parents) {
      const now = await lstat(path, { bigint: true }).catch(() => undefined);
      if (now?.mtimeNs === times.postMtimeNs) untouched.push([path, times]);
    }
    const kept = await removeStubs(this.#root, this.#created);
    for (const [path, times] of untouched.reverse()) {
      await touch(['-h', '-m', '-d', formatNs(times.mtimeNs), path]);
      await touch(['-h', '-a', '-d', formatNs(times.atimeNs), path]);
    }
    return kept;
  }
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
