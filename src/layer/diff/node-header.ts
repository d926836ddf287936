/**
 * Turns a node on disk into a normalised tar header: numeric ids from the ownership strategy, no
 * user/group names, whole-second mtimes clamped to SOURCE_DATE_EPOCH, xattrs minus private ones.
 */
import type { BigIntStats } from 'node:fs';
import { readlinkSync } from 'node:fs';
import type { OwnerReader } from '../ownership.js';
import type { TarEntryHeader, TarEntryType } from '../tar/types.js';
import type { XattrMap } from '../xattr-tools.js';

/** True for xattrs that must not travel in a layer (overlay bookkeeping, owners, host labels). */
export function isPrivateXattr(name: string, privateNames: readonly string[]): boolean {
  return (
    privateNames.includes(name) ||
    name === 'user.rootlesscontainers' ||
    name === 'security.selinux' ||
    name.startsWith('trusted.overlay.') ||
    name.startsWith('user.overlay.') ||
    name.startsWith('user.fuseoverlayfs.')
  );
}

export function nodeType(stat: BigIntStats): TarEntryType | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'char-device';
  if (stat.isBlockDevice()) return 'block-device';
  return undefined; // sockets are not archived
}

export function clampMtime(seconds: number, sourceDateEpoch: number | undefined): number {
  return sourceDateEpoch !== undefined && seconds > sourceDateEpoch ? sourceDateEpoch : seconds;
}

export interface HeaderContext {
  readonly owners: OwnerReader;
  readonly privateXattrs: readonly string[];
  readonly sourceDateEpoch: number | undefined;
}

export function publicXattrs(
  xattrs: XattrMap | undefined,
  privateNames: readonly string[],
): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [name, value] of xattrs ?? []) if (!isPrivateXattr(name, privateNames)) out.set(name, value);
  return out;
}

/** The header for `path` stored as `name`; undefined for sockets. */
export async function headerForNode(
  name: string,
  path: string,
  stat: BigIntStats,
  xattrs: XattrMap | undefined,
  context: HeaderContext,
): Promise<TarEntryHeader | undefined> {
  const type = nodeType(stat);
  if (type === undefined) return undefined;
  const owner = context.owners.ownerOf(path, { uid: Number(stat.uid), gid: Number(stat.gid) }, xattrs);
  const rdev = Number(stat.rdev);
  return {
    name,
    type,
    mode: Number(stat.mode) & 0o7777,
    uid: owner.uid,
    gid: owner.gid,
    size: type === 'file' ? Number(stat.size) : 0,
    mtime: clampMtime(Number(stat.mtimeMs / 1000n), context.sourceDateEpoch),
    linkname: type === 'symlink' ? readlinkSync(path) : '',
    devmajor: type === 'char-device' || type === 'block-device' ? (rdev >>> 8) & 0xfff : 0,
    devminor:
      type === 'char-device' || type === 'block-device' ? (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) : 0,
    xattrs: publicXattrs(xattrs, context.privateXattrs),
  };
}
