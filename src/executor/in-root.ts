/**
 * Resolving paths inside a root filesystem without ever leaving it: symlinks are followed as if the
 * rootfs were `/` (absolute targets restart at the rootfs, `..` stops at it), like a chroot would.
 */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

const MAX_LINKS = 255;

/**
 * Returns the host path for `inside` (an absolute path in the rootfs), following symlinks of every
 * existing component within the rootfs. Components that do not exist are appended as they are.
 */
export async function resolveInRoot(root: string, inside: string): Promise<string> {
  const pending = inside.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (missing) {
      resolved.push(part);
      continue;
    }
    const host = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(host)).isSymbolicLink();
    } catch {
      missing = true;
      resolved.push(part);
      continue;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) {
      throw new KilnError(ErrorCode.PathEscape, `too many levels of symbolic links resolving ${inside}`);
    }
    const target = await readlink(host);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return join(root, ...resolved);
}

/** The rootfs-relative absolute form of a host path returned by `resolveInRoot`. */
export function insidePath(root: string, host: string): string {
  const rel = host.slice(root.length);
  return rel === '' ? '/' : rel;
}
