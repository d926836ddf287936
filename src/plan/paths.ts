/**
 * Linux path rules BuildKit applies to WORKDIR, COPY destinations and sources (Go `path.Clean`/`Join`).
 */
import { posix } from 'node:path';

/** Go's `path.Clean`: no `.`/`..` segments, no duplicate or trailing slashes (except `/`), `.` for empty. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const normalized = posix.normalize(p);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** Go's `path.Join` (empty elements ignored, result cleaned). */
export function joinPath(...parts: readonly string[]): string {
  const kept = parts.filter((p) => p !== '');
  return kept.length === 0 ? '' : cleanPath(kept.join('/'));
}

/** An absolute, cleaned path: `p` resolved against `parent`; keeps a trailing `/` (or `/.`) when asked. */
export function normalizePath(parent: string, p: string, keepSlash: boolean): string {
  const base = parent === '' ? '/' : parent;
  let out = p.startsWith('/') ? cleanPath(p) : joinPath('/', base, p);
  if (!out.startsWith('/')) out = `/${out}`;
  if (keepSlash && (p.endsWith('/') || p.endsWith('/.') || p === '.') && !out.endsWith('/')) out += '/';
  return out;
}

/** WORKDIR: relative paths resolve against the current working directory. */
export function normalizeWorkdir(current: string, requested: string): string {
  return normalizePath(current, requested, false);
}

/** A COPY/ADD destination against the working directory (`.`/empty = the directory itself, kept as `dir/`). */
export function destRelativeToWorkdir(workdir: string, dest: string): string {
  if (dest.startsWith('/')) return normalizePath('/', dest, true);
  return normalizePath(workdir, dest === '.' || dest === '' ? './' : dest, true);
}

/** True when a path has glob characters (`*`, `?`, `[`), escapes skipped. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '*' || c === '?' || c === '[') return true;
    if (c === '\\') i++;
  }
  return false;
}
