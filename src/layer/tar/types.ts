/**
 * The tar entry model shared by the reader (apply) and the writer (diff): one value per archive member,
 * with extended headers (PAX / GNU long names) already folded in.
 */

/** The member types kiln understands; anything else in an archive is refused. */
export type TarEntryType =
  | 'file'
  | 'hardlink'
  | 'symlink'
  | 'char-device'
  | 'block-device'
  | 'directory'
  | 'fifo';

export interface TarEntryHeader {
  /** The member name exactly as stored (not yet cleaned or made safe). */
  readonly name: string;
  readonly type: TarEntryType;
  /** Permission bits incl. setuid/setgid/sticky (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Body size in bytes (0 for everything but regular files). */
  readonly size: number;
  /** Modification time in seconds since the epoch (may carry a fraction from PAX). */
  readonly mtime: number;
  /** Symlink target or hardlink target name ('' when not a link). */
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*` records, values as raw bytes. */
  readonly xattrs: ReadonlyMap<string, Buffer>;
}

/** Upper bounds that keep a hostile or corrupt archive from exhausting disk, memory or inodes. */
export interface TarLimits {
  /** Maximum number of members (headers of extension records not counted). */
  readonly maxEntries: number;
  /** Maximum body size of a single member in bytes. */
  readonly maxEntrySize: number;
  /** Maximum number of (decompressed) archive bytes read in total. */
  readonly maxTotalSize: number;
  /** Maximum length in bytes of a member name or link target. */
  readonly maxNameLength: number;
  /** Maximum size of one PAX or GNU long-name extension record. */
  readonly maxExtensionSize: number;
}

/** Generous defaults: large enough for real base images, finite for decompression bombs. */
export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxEntries: 2_000_000,
  maxEntrySize: 64 * 1024 ** 3,
  maxTotalSize: 256 * 1024 ** 3,
  maxNameLength: 4096,
  maxExtensionSize: 1024 * 1024,
};
