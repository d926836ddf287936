/**
 * Listing a context (or a directory inside it) honouring .dockerignore like BuildKit's fsutil walker,
 * plus optional COPY `--exclude` patterns. Order is deterministic: depth first, the entries of each
 * directory sorted by the bytes of their UTF-8 names (Go's filepath.Walk order; parents come before
 * their children). Sockets, FIFOs and device nodes are never part of a context and are skipped.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { IgnoreMatcher, MatchInfo } from '../dockerfile/ignore/index.js';
import type { BuildContext } from './build-context.js';
import { decide } from './path-filter.js';
import type { ContextEntry, ContextEntryType } from './types.js';

export interface WalkOptions {
  /** A directory to list instead of the root: context-relative, already resolved (no symlinks). */
  readonly start?: string;
  /** Extra exclusions (COPY --exclude), matched against paths relative to `start`. */
  readonly excludes?: IgnoreMatcher;
  readonly signal?: AbortSignal;
}

/** Sorts names by their UTF-8 bytes (JavaScript's default sort compares UTF-16 units). */
export function byteSorted(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The entry type of a stat result, or `undefined` for objects a context cannot hold. */
export function entryType(stat: Stats): ContextEntryType | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  return undefined;
}

/** Builds a ContextEntry from an lstat result. */
export async function toEntry(
  absolute: string,
  path: string,
  stat: Stats,
): Promise<ContextEntry | undefined> {
  const type = entryType(stat);
  if (type === undefined) return undefined;
  return {
    path,
    type,
    mode: stat.mode & 0o7777,
    uid: stat.uid,
    gid: stat.gid,
    size: type === 'file' ? stat.size : 0,
    mtime: stat.mtimeMs,
    linkTarget: type === 'symlink' ? await readlink(absolute) : '',
  };
}

interface Level {
  readonly dir: string;
  readonly ignoreInfo: MatchInfo | undefined;
  readonly excludeInfo: MatchInfo | undefined;
}

/**
 * Yields the entries below `start` (default: the whole context), not including `start` itself.
 */
export async function* walkContext(
  context: BuildContext,
  options: WalkOptions = {},
): AsyncGenerator<ContextEntry> {
  const start = options.start ?? '';
  yield* walkLevel(context, options, start, { dir: start, ignoreInfo: undefined, excludeInfo: undefined });
}

async function* walkLevel(
  context: BuildContext,
  options: WalkOptions,
  start: string,
  level: Level,
): AsyncGenerator<ContextEntry> {
  options.signal?.throwIfAborted();
  const names = byteSorted(await readdir(join(context.root, level.dir)));
  for (const name of names) {
    const path = level.dir === '' ? name : `${level.dir}/${name}`;
    const absolute = join(context.root, path);
    const stat = await lstat(absolute);
    const isDirectory = stat.isDirectory();
    const ignore = decide(context.matcher, path, isDirectory, level.ignoreInfo);
    if (ignore.kind !== 'include') continue;
    let excludeInfo: MatchInfo | undefined;
    if (options.excludes !== undefined) {
      const relative = start === '' ? path : path.slice(start.length + 1);
      const exclude = decide(options.excludes, relative, isDirectory, level.excludeInfo);
      if (exclude.kind !== 'include') continue;
      excludeInfo = exclude.info;
    }
    const entry = await toEntry(absolute, path, stat);
    if (entry === undefined) continue;
    yield entry;
    if (isDirectory) {
      yield* walkLevel(context, options, start, { dir: path, ignoreInfo: ignore.info, excludeInfo });
    }
  }
}
