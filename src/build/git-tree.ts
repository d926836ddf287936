/**
 * Taking a git work tree back from the uid git ran as (real root only). That uid may be shared with
 * other processes (`nobody`), which could still hold a directory of the tree open (or sit in it) and
 * swap entries for symlinks. So the tree is made root's top-down before anything else touches it:
 * each directory is opened with O_DIRECTORY|O_NOFOLLOW and given to 0:0 with mode 0755 through its
 * descriptor before its entries are read — once a directory is root's and unwritable, nobody else can
 * add, remove or rename its entries, so every path below a taken directory is stable. Files are opened
 * with O_NOFOLLOW and changed through their descriptor too. The tree's own parent must already be
 * root's and not writable by others.
 */
import { constants } from 'node:fs';
import { lchown, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// O_NONBLOCK: a FIFO planted in the tree must not block the open.
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface TakeTreeOptions {
  /**
   * `checkout`: every entry becomes root's; anything git does not make (hard-linked files, FIFOs,
   * sockets, devices) fails with E_GIT. `cleanup`: only directories are taken (enough for a safe
   * recursive removal); other entries are left as they are.
   */
  readonly mode: 'checkout' | 'cleanup';
  readonly signal?: AbortSignal;
}

function untrusted(path: string, what: string): KilnError {
  return new KilnError(ErrorCode.Git, `the git checkout has ${what} at ${path} (git does not make one)`);
}

async function takeDirectory(path: string): Promise<void> {
  const handle = await open(path, DIRECTORY_FLAGS);
  try {
    await handle.chown(0, 0);
    await handle.chmod(0o755);
  } finally {
    await handle.close();
  }
}

async function takeFile(path: string): Promise<void> {
  const handle = await open(path, FILE_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw untrusted(path, 'a special file');
    if (st.nlink > 1) throw untrusted(path, 'a hard link');
    await handle.chown(0, 0);
  } finally {
    await handle.close();
  }
}

/** Gives the directory tree at `path` (and, for a checkout, all its entries) to 0:0, top-down. */
export async function takeTree(path: string, options: TakeTreeOptions): Promise<void> {
  options.signal?.throwIfAborted();
  await takeDirectory(path);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await takeTree(child, options);
    else if (options.mode === 'cleanup') continue;
    else if (entry.isSymbolicLink()) await lchown(child, 0, 0);
    else if (entry.isFile()) await takeFile(child);
    else throw untrusted(child, 'a special file');
  }
}
