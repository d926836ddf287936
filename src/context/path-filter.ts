/**
 * One walker step against a .dockerignore-style matcher, with BuildKit fsutil's rules:
 * - a path that does not match is included;
 * - a matching non-directory is omitted;
 * - a matching directory is pruned (skipped with everything below it) unless some `!` pattern, read as
 *   text, starts with `<dir>/`: then the directory itself is kept and its entries are checked one by one
 *   (so `!dir/keep` re-includes `dir/keep` under an ignored `dir`, but `!**\/keep` does not, exactly as
 *   fsutil's walker behaves).
 */
import type { IgnoreMatcher, MatchInfo } from '../dockerfile/ignore/index.js';

export type FilterDecision =
  | { readonly kind: 'include'; readonly info: MatchInfo }
  | { readonly kind: 'omit' }
  | { readonly kind: 'prune' };

/** Whether an ignored directory must still be descended into because of a `!` pattern below it. */
export function hasExceptionBelow(matcher: IgnoreMatcher, dir: string): boolean {
  if (!matcher.exclusions) return false;
  const prefix = `${dir}/`;
  return matcher.patterns.some((p) => p.exclusion && `${p.pattern}/`.startsWith(prefix));
}

/**
 * Decides what a walker does with `path` (relative to the matcher's base). Pass the `info` of the
 * parent directory's decision, or nothing when the parent was not visited by this walk.
 */
export function decide(
  matcher: IgnoreMatcher,
  path: string,
  isDirectory: boolean,
  parent?: MatchInfo,
): FilterDecision {
  const result = matcher.matchesUsingParentResults(path, parent);
  if (!result.matched) return { kind: 'include', info: result.info };
  if (!isDirectory) return { kind: 'omit' };
  if (hasExceptionBelow(matcher, path)) return { kind: 'include', info: result.info };
  return { kind: 'prune' };
}
