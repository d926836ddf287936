/**
 * A private directory on a memory file system for the build's secret files and agent sockets, so that
 * secret bytes never touch a disk (and so never a rootfs, snapshot or the store).
 *
 * Order: `$XDG_RUNTIME_DIR` (per-user tmpfs), then `/dev/shm`; each is accepted only when statfs(2)
 * reports tmpfs or ramfs. Otherwise kiln mounts a private tmpfs on a fresh directory under
 * `fallbackParent` (possible inside kiln's own user + mount namespace, where it is root). If that fails
 * too, E_SECRET: secrets are never written to disk as a last resort.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, KilnError } from '../errors.js';

const run = promisify(execFile);

/** statfs(2) f_type values of memory-backed file systems. */
export const TMPFS_MAGIC = 0x01021994;
export const RAMFS_MAGIC = 0x858458f6;

/** A 0700 directory on tmpfs/ramfs; `close` removes it (and unmounts it when kiln mounted it). */
export interface TmpfsScratch {
  readonly path: string;
  readonly how: 'runtime-dir' | 'dev-shm' | 'private-mount';
  close(): Promise<void>;
}

export interface OpenTmpfsScratchOptions {
  /** The caller's environment (for XDG_RUNTIME_DIR). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where to create the directory for a private tmpfs mount when no memory file system is available. */
  readonly fallbackParent: string;
  /** Candidate parents to try instead of the defaults (tests). */
  readonly candidates?: readonly string[];
  /** Size limit of a private tmpfs mount (default 64 MiB). */
  readonly fallbackSizeBytes?: number;
}

/** True when `path` lives on tmpfs or ramfs. */
export async function isMemoryFileSystem(path: string): Promise<boolean> {
  try {
    const st = await statfs(path);
    return st.type === TMPFS_MAGIC || st.type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

/** Opens a scratch directory on a memory file system (E_SECRET when none can be had). */
export async function openTmpfsScratch(options: OpenTmpfsScratchOptions): Promise<TmpfsScratch> {
  const candidates: { parent: string; how: TmpfsScratch['how'] }[] = options.candidates?.map((parent) => ({
    parent,
    how: 'dev-shm' as const,
  })) ?? [
    ...(options.env.XDG_RUNTIME_DIR
      ? [{ parent: options.env.XDG_RUNTIME_DIR, how: 'runtime-dir' as const }]
      : []),
    { parent: '/dev/shm', how: 'dev-shm' },
  ];
  for (const { parent, how } of candidates) {
    if (!(await isMemoryFileSystem(parent))) continue;
    const path = await mkdtemp(join(parent, 'kiln-secrets-')).catch(() => undefined);
    if (path === undefined) continue;
    await chmod(path, 0o700);
    // Re-check: the new directory could be a mount point of something else only in theory, but cheap.
    if (!(await isMemoryFileSystem(path))) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    return { path, how, close: () => rm(path, { recursive: true, force: true }) };
  }
  const path = await mkdtemp(join(options.fallbackParent, 'kiln-secrets-'));
  const size = options.fallbackSizeBytes ?? 64 * 1024 * 1024;
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700,nosuid,nodev,noexec`, 'tmpfs', path]);
  } catch (cause) {
    await rm(path, { recursive: true, force: true });
    throw new KilnError(ErrorCode.Secret, 'no memory file system (tmpfs) available for build secrets', {
      cause,
      hint: 'set XDG_RUNTIME_DIR to a tmpfs directory or make /dev/shm a tmpfs; kiln never writes secrets to disk',
    });
  }
  if (!(await isMemoryFileSystem(path))) {
    await run('umount', [path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
    throw new KilnError(ErrorCode.Secret, `mounted tmpfs at ${path} but statfs does not report tmpfs`);
  }
  return {
    path,
    how: 'private-mount',
    close: async () => {
      await run('umount', [path]).catch(() => undefined);
      await rm(path, { recursive: true, force: true });
    },
  };
}
