/**
 * Shell patterns as used by `${V#p}`, `${V%p}` and `${V/p/r}`: `*` any run of characters, `?` one
 * character, `\*` `\?` `\\` literal, `\}` and `\/` the character without the backslash; every other
 * character (brackets included: BuildKit has no bracket expressions) is literal. As in BuildKit,
 * whose patterns become Go regular expressions, `*` and `?` never match a newline.
 */
import { assertNever, ErrorCode, KilnError } from '../../errors.js';
import { toCodePoints } from './code-points.js';

/** One element of a compiled pattern. */
export type PatternToken =
  | { readonly kind: 'literal'; readonly char: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' };

/** A compiled shell pattern. */
export interface ShellPattern {
  readonly source: string;
  readonly tokens: readonly PatternToken[];
}

const ESCAPABLE = new Set(['*', '?', '\\']);
const ESCAPE_DROPPED_BEFORE = new Set(['}', '/']);
const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$', '*', '?', '\\']);
const ANY: PatternToken = { kind: 'any' };
const STAR: PatternToken = { kind: 'star' };

/** Compiles a pattern; a backslash before anything but `* ? \ } /` is an error (KilnError E_EXPANSION). */
export function compileShellPattern(source: string): ShellPattern {
  const chars = toCodePoints(source);
  const tokens: PatternToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      tokens.push(STAR);
    } else if (ch === '?') {
      tokens.push(ANY);
    } else if (ch === '\\') {
      const following = chars[i + 1];
      if (following !== undefined && ESCAPE_DROPPED_BEFORE.has(following)) continue;
      if (following === undefined) {
        throw new KilnError(ErrorCode.Expansion, `invalid escape '\\' at end of pattern`);
      }
      if (!ESCAPABLE.has(following)) {
        throw new KilnError(ErrorCode.Expansion, `invalid escape '\\${following}'`);
      }
      tokens.push({ kind: 'literal', char: following });
      i += 1;
    } else {
      tokens.push({ kind: 'literal', char: ch });
    }
  }
  return { source, tokens };
}

/**
 * Reverses a pattern so that suffix matching can run as prefix matching over reversed text;
 * an escape stays in front of the character it escapes (`a\*c` → `c\*a`).
 */
export function reverseShellPattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array(chars.length);
  const last = chars.length - 1;
  let i = 0;
  while (i <= last) {
    const ch = chars[i]!;
    const at = last - i;
    if (ch === '\\' && i !== last) {
      out[at - 1] = ch;
      out[at] = chars[i + 1]!;
      i += 2;
    } else {
      out[at] = ch;
      i += 1;
    }
  }
  return out.join('');
}

/**
 * The Go regular expression BuildKit builds for a pattern (`^` when anchored, `.*` or `.*?` for `*`).
 * kiln does not run it; it documents the semantics and is checked against BuildKit's own table.
 */
export function shellPatternToRegexSource(pattern: ShellPattern, greedy: boolean, anchored: boolean): string {
  let out = anchored ? '^' : '';
  for (const token of pattern.tokens) {
    switch (token.kind) {
      case 'literal':
        out += REGEX_SPECIAL.has(token.char) ? `\\${token.char}` : token.char;
        break;
      case 'any':
        out += '.';
        break;
      case 'star':
        out += greedy ? '.*' : '.*?';
        break;
      default:
        assertNever(token, 'pattern token');
    }
  }
  return out;
}
