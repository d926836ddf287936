/**
 * Temp-file-then-rename writes and the naming of temp files, so that readers only ever see complete
 * files and `prune` can tell abandoned temp files from live ones.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

/** A new temp file name in `tmpDir`: `<pid>-<uuid>.tmp` (the pid lets GC spot writers that died). */
export function tempFilePath(tmpDir: string): string {
  return join(tmpDir, `${process.pid}-${randomUUID()}.tmp`);
}

/** The pid encoded in a temp file name, if any. */
export function tempFileOwner(path: string): number | undefined {
  const match = /^(\d+)-[0-9a-f-]+\.tmp$/.exec(basename(path));
  return match ? Number(match[1]) : undefined;
}

/** Flushes a directory entry (a rename or unlink inside it) to disk; best effort where unsupported. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

export interface AtomicWriteOptions {
  /** Directory for the temp file; must be on the same filesystem as `path`. */
  readonly tmpDir: string;
  readonly mode?: number;
  /**
   * Whether the file must survive a crash (default true: fsync the file and its directory). Files
   * that mean nothing after a crash (a lease of a process that died) skip both; the rename keeps
   * readers from ever seeing a partial file either way.
   */
  readonly durable?: boolean;
}

/** Writes `data` to a temp file, fsyncs it and renames it over `path` (E_STORE on failure). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<void> {
  const temp = tempFilePath(options.tmpDir);
  try {
    await mkdir(options.tmpDir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      if (options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new KilnError(ErrorCode.Store, `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (options.durable !== false) await fsyncDir(dirname(path));
}

/** True when a process with this pid exists on this host (EPERM counts as alive). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
