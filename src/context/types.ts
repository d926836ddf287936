/**
 * The build context model: where a context comes from, the limits applied to it, and the entries a
 * walker yields.
 */
import type { Readable } from 'node:stream';
import type { IgnoreFileSource } from '../dockerfile/ignore/index.js';
import type { TarLimits } from '../layer/index.js';

/** What a context entry is on disk. Device nodes, sockets and FIFOs never appear in a context. */
export type ContextEntryType = 'file' | 'directory' | 'symlink';

/** One file system object of the context, as a walker reports it. */
export interface ContextEntry {
  /** `/`-separated path relative to the context root (never `.`, never starting with `/`). */
  readonly path: string;
  readonly type: ContextEntryType;
  /** Permission bits plus setuid/setgid/sticky (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Byte size for regular files, 0 otherwise. */
  readonly size: number;
  /** Modification time in milliseconds since the epoch (with sub-millisecond fraction). */
  readonly mtime: number;
  /** Target of a symlink exactly as stored; '' for anything else. */
  readonly linkTarget: string;
}

/**
 * Where a build context comes from.
 * - `dir`: a directory on disk (used in place, never modified).
 * - `tar`: a tar stream (plain, gzip, bzip2, xz or zstd), extracted into a private temporary directory.
 * - `stdin`: docker's `kiln build -`: a tar context (as `tar`) when the stream looks like an archive,
 *   otherwise the stream is the Dockerfile itself and the context is empty.
 * - `dockerfile`: only a Dockerfile text, with an empty context.
 */
export type ContextSource =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'tar'; readonly stream: Readable }
  | { readonly kind: 'stdin'; readonly stream: Readable }
  | { readonly kind: 'dockerfile'; readonly text: string };

/** Bounds for hostile or accidental huge inputs. */
export interface ContextLimits {
  /** Limits for tar contexts (entries, entry size, total decompressed bytes, name length). */
  readonly tar: TarLimits;
  /** Maximum size of the Dockerfile and of each ignore file in bytes. */
  readonly maxDockerfileSize: number;
}

/** Defaults: large enough for real projects, finite for decompression bombs. */
export const DEFAULT_CONTEXT_LIMITS: ContextLimits = {
  tar: {
    maxEntries: 1_000_000,
    maxEntrySize: 16 * 1024 ** 3,
    maxTotalSize: 64 * 1024 ** 3,
    maxNameLength: 4096,
    maxExtensionSize: 1024 * 1024,
  },
  maxDockerfileSize: 16 * 1024 * 1024,
};

/** The Dockerfile the frontend reads, whether or not .dockerignore matches it. */
export interface ContextDockerfile {
  /** Display name: the context-relative path, the absolute path outside the context, or `<stdin>`. */
  readonly name: string;
  readonly text: string;
}

/** The ignore file in effect and its patterns. */
export interface ContextIgnore {
  readonly source: IgnoreFileSource | 'option';
  readonly patterns: readonly string[];
}
