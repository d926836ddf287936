/**
 * The .dockerignore matcher: moby/patternmatcher semantics (ordered patterns, `!` exceptions,
 * last applicable pattern wins, a pattern also matches when it matches a parent directory).
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { goClean, goDir, goTrimSpace } from './go-path.js';
import { compileProgram } from './pattern-program.js';
import { parsePattern } from './pattern-syntax.js';

/** One compiled pattern. */
export interface IgnorePattern {
  /** The cleaned pattern text without its `!`. */
  readonly pattern: string;
  /** True for `!` patterns (re-include what earlier patterns excluded). */
  readonly exclusion: boolean;
  /** Number of `/`-separated components of the pattern. */
  readonly depth: number;
  /** Whether the pattern matches this exact path (no parent matching). Throws E_IGNORE_PATTERN when broken. */
  test(path: string): boolean;
  /** Whether the pattern matches a parent directory of `path` (`a` or `a/b` for `a/b/c`). */
  testParents(path: string): boolean;
}

/** Per-pattern results for a directory, handed down to its children (see `matchesUsingParentResults`). */
export interface MatchInfo {
  readonly parentMatched: readonly boolean[];
}

export interface MatchResult {
  readonly matched: boolean;
  readonly info: MatchInfo;
}

export interface IgnoreMatcher {
  readonly patterns: readonly IgnorePattern[];
  /**
   * Whether any `!` pattern exists. When false, a walker may skip a matched directory's whole subtree;
   * when true, something below a matched directory may be re-included.
   */
  readonly exclusions: boolean;
  /** Whether `path` (relative, `/`-separated) is ignored; parents count (same as `matchesOrParentMatches`). */
  matches(path: string): boolean;
  /** moby's MatchesOrParentMatches: a pattern applies when it matches the path or any parent of it. */
  matchesOrParentMatches(path: string): boolean;
  /**
   * moby's MatchesUsingParentResults: for walkers that visit a directory before its entries. Pass the
   * `info` returned for the parent directory (or nothing at the top, which checks all parents).
   */
  matchesUsingParentResults(path: string, parent?: MatchInfo): MatchResult;
  /**
   * moby's deprecated PatternMatcher.Matches: only the parent prefix with as many components as the
   * pattern is tried. Kept for conformance with older docker behaviour.
   */
  matchesLegacy(path: string): boolean;
  /** True when a walker may skip `dir` and everything below it (it is ignored and nothing can be re-included). */
  canSkipDirectory(dir: string): boolean;
}

function compilePattern(raw: string, exclusion: boolean): IgnorePattern {
  const parsed = parsePattern(raw);
  const program = compileProgram(parsed.tokens);
  const { suffix, brokenReason } = parsed;
  const checkSyntax = (): void => {
    if (brokenReason !== undefined) {
      throw new KilnError(
        ErrorCode.IgnorePattern,
        `syntax error in pattern ${JSON.stringify(raw)}: ${brokenReason}`,
      );
    }
  };
  const suffixTest = (path: string, suffixText: string): boolean =>
    path.endsWith(suffixText) || (suffixText.startsWith('/') && path === suffixText.slice(1));
  return {
    pattern: raw,
    exclusion,
    depth: raw.split('/').length,
    test(path: string): boolean {
      checkSyntax();
      return suffix !== undefined ? suffixTest(path, suffix) : program.test(path);
    },
    testParents(path: string): boolean {
      checkSyntax();
      // The parents of `path` are its (clean) directory and that directory's prefixes before each `/`.
      const dir = goDir(path);
      if (dir === '.') return false;
      if (suffix === undefined) return program.testSelfOrPrefixes(dir);
      return parentPrefixes(dir).some((prefix) => suffixTest(prefix, suffix));
    },
  };
}

/** A clean directory and its prefixes before each `/`: `a`, `a/b` for `a/b`; `''`, `/a` for `/a`. */
function parentPrefixes(dir: string): readonly string[] {
  const prefixes: string[] = [];
  for (let i = dir.indexOf('/'); i >= 0; i = dir.indexOf('/', i + 1)) prefixes.push(dir.slice(0, i));
  prefixes.push(dir);
  return prefixes;
}

/**
 * Builds a matcher from patterns as written in a .dockerignore (each trimmed, empty ones dropped,
 * cleaned; a leading `!` marks an exception). Throws KilnError(E_IGNORE_PATTERN) for bad patterns.
 */
export function createIgnoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const compiled: IgnorePattern[] = [];
  for (const written of patterns) {
    const trimmed = goTrimSpace(written);
    if (trimmed === '') continue;
    let cleaned = goClean(trimmed);
    let exclusion = false;
    if (cleaned.startsWith('!')) {
      if (cleaned.length === 1) {
        throw new KilnError(ErrorCode.IgnorePattern, 'illegal exclusion pattern: "!"');
      }
      exclusion = true;
      cleaned = cleaned.slice(1);
    }
    compiled.push(compilePattern(cleaned, exclusion));
  }
  const exclusions = compiled.some((p) => p.exclusion);

  const matchesOrParentMatches = (path: string): boolean => {
    let matched = false;
    for (const pattern of compiled) {
      if (pattern.exclusion !== matched) continue;
      const match = pattern.test(path) || pattern.testParents(path);
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  };

  const matchesUsingParentResults = (path: string, parent?: MatchInfo): MatchResult => {
    const parentMatched = parent?.parentMatched ?? [];
    if (parentMatched.length !== 0 && parentMatched.length !== compiled.length) {
      throw new KilnError(ErrorCode.Usage, 'MatchInfo was produced by a different matcher');
    }
    const results: boolean[] = compiled.map(() => false);
    let matched = false;
    compiled.forEach((pattern, i) => {
      let match = parentMatched[i] ?? false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.test(path);
        if (!match && parentMatched.length === 0) {
          match = pattern.testParents(path);
        }
      }
      results[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info: { parentMatched: results } };
  };

  const matchesLegacy = (path: string): boolean => {
    const parent = goDir(path);
    const parentDirs = parent.split('/');
    let matched = false;
    for (const pattern of compiled) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.test(path);
      if (!match && parent !== '.' && pattern.depth <= parentDirs.length) {
        match = pattern.test(parentDirs.slice(0, pattern.depth).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  };

  return {
    patterns: compiled,
    exclusions,
    matches: matchesOrParentMatches,
    matchesOrParentMatches,
    matchesUsingParentResults,
    matchesLegacy,
    canSkipDirectory: (dir) => !exclusions && matchesOrParentMatches(dir),
  };
}

/**
 * moby's deprecated package function `Matches(file, patterns)`: cleans the path, never matches `.`,
 * then applies `matchesLegacy`.
 */
export function legacyMatches(path: string, patterns: readonly string[]): boolean {
  const matcher = createIgnoreMatcher(patterns);
  const cleaned = goClean(path);
  if (cleaned === '.') return false;
  return matcher.matchesLegacy(cleaned);
}
