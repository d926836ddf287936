/**
 * Parses one .dockerignore pattern into tokens with moby/patternmatcher semantics:
 * `*` (run of non-`/`), `?` (one non-`/`), `[...]` classes (Go filepath.Match syntax, `^` negates),
 * `\` escapes, `**` (any number of directories), and a trailing `**` (anything below).
 * Syntax errors are those of Go's `filepath.Match` (ErrBadPattern) and raise E_IGNORE_PATTERN.
 */
import { ErrorCode, KilnError } from '../../errors.js';

/** An inclusive code point range of a character class. */
export interface CodePointRange {
  readonly lo: number;
  readonly hi: number;
}

export type PatternToken =
  | { readonly kind: 'literal'; readonly codePoint: number }
  /** `?`: one character other than `/`. */
  | { readonly kind: 'one' }
  /** `*`: any run of characters other than `/`. */
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly CodePointRange[] }
  /** `**` (a following slash included) before more pattern: optionally, any text ending in a slash. */
  | { readonly kind: 'anyDirs' }
  /** `**` at the end of the pattern: any text. */
  | { readonly kind: 'anyRest' };

export interface ParsedPattern {
  readonly tokens: readonly PatternToken[];
  /**
   * Set when the pattern passes Go's filepath.Match check but moby's compiled regexp is invalid
   * (e.g. a reversed range `[Local-Only]`): such a pattern is accepted, and fails each time it is used.
   */
  readonly brokenReason: string | undefined;
  /** True when the pattern is a leading `**` followed by plain text (moby's suffix match). */
  readonly suffix: string | undefined;
}

const SLASH = 0x2f;

function badPattern(pattern: string, why: string): KilnError {
  return new KilnError(ErrorCode.IgnorePattern, `syntax error in pattern ${JSON.stringify(pattern)}: ${why}`);
}

/** One class member character as Go's `getEsc` reads it. */
function readClassChar(
  chars: readonly string[],
  at: number,
  pattern: string,
): { readonly codePoint: number; readonly next: number } {
  let i = at;
  const first = chars[i];
  if (first === undefined || first === '-' || first === ']') {
    throw badPattern(pattern, 'bad character class');
  }
  if (first === '\\') {
    i++;
    if (chars[i] === undefined) throw badPattern(pattern, 'unterminated escape in character class');
  }
  const ch = chars[i]!;
  i++;
  if (chars[i] === undefined) throw badPattern(pattern, 'unterminated character class');
  return { codePoint: ch.codePointAt(0)!, next: i };
}

function readClass(
  chars: readonly string[],
  start: number,
  pattern: string,
): { readonly token: PatternToken; readonly next: number; readonly broken: string | undefined } {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: CodePointRange[] = [];
  let broken: string | undefined;
  for (;;) {
    if (chars[i] === ']' && ranges.length > 0) {
      i++;
      break;
    }
    const lo = readClassChar(chars, i, pattern);
    i = lo.next;
    let hi = lo.codePoint;
    if (chars[i] === '-') {
      const end = readClassChar(chars, i + 1, pattern);
      hi = end.codePoint;
      i = end.next;
    }
    if (hi < lo.codePoint && broken === undefined) {
      broken = `invalid character class range ${String.fromCodePoint(lo.codePoint)}-${String.fromCodePoint(hi)}`;
    }
    ranges.push({ lo: lo.codePoint, hi });
  }
  return { token: { kind: 'class', negated, ranges }, next: i, broken };
}

const SPECIAL = new Set(['*', '?', '\\', '[', ']']);

/**
 * Parses a cleaned pattern (no leading `!`). Throws KilnError(E_IGNORE_PATTERN) for syntax errors.
 */
export function parsePattern(pattern: string): ParsedPattern {
  const chars = Array.from(pattern);
  const tokens: PatternToken[] = [];
  let broken: string | undefined;
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i]!;
    switch (ch) {
      case '*': {
        if (chars[i + 1] === '*') {
          i += 2;
          if (chars[i] === '/') i++;
          tokens.push(i >= chars.length ? { kind: 'anyRest' } : { kind: 'anyDirs' });
        } else {
          i++;
          tokens.push({ kind: 'star' });
        }
        break;
      }
      case '?':
        i++;
        tokens.push({ kind: 'one' });
        break;
      case '\\': {
        const escaped = chars[i + 1];
        if (escaped === undefined) throw badPattern(pattern, 'trailing backslash');
        i += 2;
        tokens.push({ kind: 'literal', codePoint: escaped.codePointAt(0)! });
        break;
      }
      case '[': {
        const cls = readClass(chars, i, pattern);
        i = cls.next;
        broken ??= cls.broken;
        tokens.push(cls.token);
        break;
      }
      default:
        i++;
        tokens.push({ kind: 'literal', codePoint: ch.codePointAt(0)! });
    }
  }
  const suffix =
    pattern.startsWith('**') && !chars.slice(2).some((c) => SPECIAL.has(c)) ? pattern.slice(2) : undefined;
  return { tokens, brokenReason: broken, suffix };
}

/** The code point of `/`, the only separator. */
export const SEPARATOR_CODE_POINT = SLASH;
