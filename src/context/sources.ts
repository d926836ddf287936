/**
 * COPY/ADD source selection with BuildKit's rules:
 * - a source is cleaned relative to the context root (a leading `/` means the root); a source that
 *   climbs out with `..` is refused (E_PATH_ESCAPE) rather than silently clamped;
 * - wildcards: the path is split at the first component holding an unescaped `*`, `?` or `[`; the part
 *   before is resolved (following symlinks inside the context), the rest is matched with Go's
 *   filepath.Match against paths below it (same number of components; a matching directory is not
 *   descended into; symlinked directories are not traversed); matches are in walk order;
 * - with `followSymlinks` (Dockerfile COPY/ADD), a source that is a symlink is replaced by its target,
 *   resolved as if the context root were `/` (links can never reach outside the context);
 * - a directory source copies its contents; with `parents` it keeps its path relative to the context
 *   root, or relative to the `/./` pivot when the source contains one;
 * - `excludes` (COPY --exclude) use .dockerignore syntax; they are matched against each wildcard match
 *   (context-relative) and against each path below a directory source (relative to that directory);
 * - a literal source that does not exist fails with E_CONTEXT; a wildcard that matches nothing is
 *   allowed (BuildKit's Dockerfile frontend sets AllowEmptyWildcard) unless `allowEmptyWildcard: false`.
 * Paths hidden by .dockerignore do not exist for any of this.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createIgnoreMatcher, type IgnoreMatcher } from '../dockerfile/ignore/index.js';
import { ErrorCode, KilnError } from '../errors.js';
import type { BuildContext } from './build-context.js';
import { compileGoPattern, containsWildcards } from './go-match.js';
import { resolveInContext } from './resolve-path.js';
import type { ContextEntry, ContextEntryType } from './types.js';
import { byteSorted, entryType, toEntry, walkContext } from './walk.js';

export interface ResolveSourcesOptions {
  /** Follow a source that is itself a symlink (default true, as Dockerfile COPY/ADD do). */
  readonly followSymlinks?: boolean;
  /** COPY --exclude patterns (.dockerignore syntax). */
  readonly excludes?: readonly string[];
  /** COPY --parents. */
  readonly parents?: boolean;
  /** Whether a wildcard may match nothing (default true, like BuildKit's Dockerfile frontend). */
  readonly allowEmptyWildcard?: boolean;
}

/** The options in effect, every field set (part of the cache key). */
export interface NormalizedSourceOptions {
  readonly followSymlinks: boolean;
  readonly excludes: readonly string[];
  readonly parents: boolean;
  readonly allowEmptyWildcard: boolean;
}

/** One matched source. */
export interface SelectedSource {
  /** The pattern as written in the instruction. */
  readonly pattern: string;
  /** Context-relative path that matched (before a final symlink was followed). */
  readonly path: string;
  /** Context-relative path of what is copied (after following, when enabled). */
  readonly resolvedPath: string;
  readonly type: ContextEntryType;
  /**
   * Where the source lands, relative to the destination directory: the base name for a file or
   * unfollowed symlink, `''` for a directory (its contents go into the destination), the path below
   * the context root or pivot with `parents`.
   */
  readonly target: string;
  /** Whether the pattern had wildcards (then the destination must be a directory). */
  readonly wildcard: boolean;
}

export interface SourceSelection {
  readonly context: BuildContext;
  readonly patterns: readonly string[];
  readonly options: NormalizedSourceOptions;
  readonly sources: readonly SelectedSource[];
}

/** One object to copy: a context entry plus where it lands and where to read it. */
export interface SelectedEntry extends ContextEntry {
  /** Destination-relative path (`''` = the destination itself). */
  readonly target: string;
  /** Absolute path on disk to read (regular files) — inside the context root. */
  readonly sourcePath: string;
}

function cleanSource(pattern: string): string {
  const normalized = posix.normalize(`./${pattern}`);
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new KilnError(
      ErrorCode.PathEscape,
      `COPY source ${JSON.stringify(pattern)} is outside the build context`,
      {
        hint: 'sources are relative to the build context; move the file into the context',
      },
    );
  }
  const relative = posix.normalize(`/${pattern}`).slice(1);
  return relative.endsWith('/') ? relative.slice(0, -1) : relative;
}

/** Splits `a/./b/c` at the `/./` pivot: [prefix, full cleaned path]. Leading `./` is not a pivot. */
function splitPivot(pattern: string): { readonly pivot: string; readonly path: string } {
  const trimmed = pattern.replace(/^(\.\/)+/, '');
  const at = trimmed.indexOf('/./');
  if (at === -1) return { pivot: '', path: cleanSource(pattern) };
  const pivot = cleanSource(trimmed.slice(0, at));
  return { pivot, path: cleanSource(trimmed) };
}

function targetFor(path: string, type: ContextEntryType, pivot: string, parents: boolean): string {
  if (parents) {
    if (pivot === '') return path;
    if (path === pivot) return '';
    if (path.startsWith(`${pivot}/`)) return path.slice(pivot.length + 1);
    return path;
  }
  if (type === 'directory') return '';
  return posix.basename(path);
}

function splitWildcards(path: string): { readonly literal: string; readonly rest: string } {
  const parts = path.split('/');
  const at = parts.findIndex((part) => containsWildcards(part));
  if (at === -1) return { literal: path, rest: '' };
  return { literal: parts.slice(0, at).join('/'), rest: parts.slice(at).join('/') };
}

/** Paths below `base` (context-relative, resolved) whose relative path matches `rest`, in walk order. */
async function matchWildcard(context: BuildContext, base: string, rest: string): Promise<string[]> {
  const compiled = compileGoPattern(rest);
  if (compiled === undefined) return [];
  const depth = rest.split('/').length;
  const out: string[] = [];
  const visit = async (dir: string, relDepth: number): Promise<void> => {
    let names: string[];
    try {
      names = byteSorted(await readdir(join(context.root, dir)));
    } catch {
      return;
    }
    for (const name of names) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const rel = base === '' ? path : path.slice(base.length + 1);
      const stat = await lstat(join(context.root, path));
      if (!context.isPresent(path, stat.isDirectory())) continue;
      if (compiled.test(rel)) {
        out.push(path);
        continue;
      }
      if (stat.isDirectory() && relDepth + 1 < depth) await visit(path, relDepth + 1);
    }
  };
  await visit(base, 0);
  return out;
}

function normalizeOptions(options: ResolveSourcesOptions): NormalizedSourceOptions {
  return {
    followSymlinks: options.followSymlinks ?? true,
    excludes: [...(options.excludes ?? [])],
    parents: options.parents ?? false,
    allowEmptyWildcard: options.allowEmptyWildcard ?? true,
  };
}

function missing(pattern: string): KilnError {
  return new KilnError(
    ErrorCode.Context,
    `COPY source ${JSON.stringify(pattern)} not found in the build context`,
    {
      hint: 'check the path and that .dockerignore does not exclude it',
    },
  );
}

async function selectOne(
  context: BuildContext,
  pattern: string,
  options: NormalizedSourceOptions,
  excludes: IgnoreMatcher | undefined,
): Promise<SelectedSource[]> {
  const { pivot, path } = splitPivot(pattern);
  const { literal, rest } = splitWildcards(path);
  const wildcard = rest !== '';
  let candidates: string[];
  if (wildcard) {
    const base = await resolveInContext(context, literal, true);
    candidates =
      base === undefined || !base.stat.isDirectory() ? [] : await matchWildcard(context, base.path, rest);
    if (excludes !== undefined) candidates = candidates.filter((c) => !excludes.matches(c));
    if (candidates.length === 0) {
      if (options.allowEmptyWildcard) return [];
      throw new KilnError(ErrorCode.Context, `COPY source ${JSON.stringify(pattern)} matched no files`);
    }
  } else {
    candidates = [literal];
  }
  const selected: SelectedSource[] = [];
  for (const candidate of candidates) {
    const resolved = await resolveInContext(context, candidate, options.followSymlinks);
    if (resolved === undefined) throw missing(pattern);
    const type = entryType(resolved.stat);
    if (type === undefined) {
      throw new KilnError(
        ErrorCode.Context,
        `COPY source ${JSON.stringify(candidate)} is not a file, directory or symlink`,
      );
    }
    selected.push({
      pattern,
      path: candidate,
      resolvedPath: resolved.path,
      type,
      target: targetFor(candidate, type, pivot, options.parents),
      wildcard,
    });
  }
  return selected;
}

/**
 * Resolves COPY/ADD source patterns against a context. Throws E_CONTEXT (missing source),
 * E_PATH_ESCAPE (source outside the context), E_IGNORE_PATTERN (bad --exclude).
 */
export async function resolveSources(
  context: BuildContext,
  patterns: readonly string[],
  options: ResolveSourcesOptions = {},
): Promise<SourceSelection> {
  const normalized = normalizeOptions(options);
  const excludes = normalized.excludes.length > 0 ? createIgnoreMatcher(normalized.excludes) : undefined;
  const sources: SelectedSource[] = [];
  for (const pattern of patterns) sources.push(...(await selectOne(context, pattern, normalized, excludes)));
  return { context, patterns: [...patterns], options: normalized, sources };
}

function joinTarget(base: string, rest: string): string {
  if (base === '') return rest;
  return rest === '' ? base : `${base}/${rest}`;
}

/**
 * Everything a selection copies, source by source: each source itself (a directory source first,
 * with its own metadata) then, for directories, the entries below it in walk order, honouring
 * .dockerignore and --exclude. Symlinks below a directory source are listed as symlinks (not followed).
 */
export async function* listSelection(
  selection: SourceSelection,
  signal?: AbortSignal,
): AsyncGenerator<SelectedEntry> {
  const { context } = selection;
  const excludes =
    selection.options.excludes.length > 0 ? createIgnoreMatcher(selection.options.excludes) : undefined;
  for (const source of selection.sources) {
    const absolute = join(context.root, source.resolvedPath);
    const self = await toEntry(absolute, source.resolvedPath, await lstat(absolute));
    if (self === undefined) continue;
    yield { ...self, target: source.target, sourcePath: absolute };
    if (source.type !== 'directory') continue;
    const start = source.resolvedPath;
    for await (const entry of walkContext(context, {
      start,
      ...(excludes === undefined ? {} : { excludes }),
      ...(signal === undefined ? {} : { signal }),
    })) {
      const below = start === '' ? entry.path : entry.path.slice(start.length + 1);
      yield {
        ...entry,
        target: joinTarget(source.target, below),
        sourcePath: join(context.root, entry.path),
      };
    }
  }
}
