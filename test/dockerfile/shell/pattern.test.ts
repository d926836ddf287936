// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * Shell patterns: compilation, reversal, and the automaton matcher checked against the backtracking
 * regular expressions BuildKit's Go code would build (JS RegExp has the same leftmost-first rules).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileShellPattern,
  type PatternToken,
  reverseShellPattern,
  type ShellPattern,
} from '../../../src/dockerfile/shell/pattern.js';
import { findLeftmostLongest, matchPrefix } from '../../../src/dockerfile/shell/pattern-match.js';
import { replaceAll, replaceFirst } from '../../../src/dockerfile/shell/pattern-replace.js';
import { assertNever, ErrorCode, isKilnError } from '../../../src/errors.js';

/** The oracle: a JS RegExp equivalent to BuildKit's Go regexp (`.` never matches a newline). */
function oracle(pattern: ShellPattern, greedy: boolean, flags: string): RegExp {
  const parts = pattern.tokens.map((token: PatternToken) => {
    switch (token.kind) {
      case 'literal':
        return token.char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
      case 'any':
        return '[^\\n]';
      case 'star':
        return greedy ? '[^\\n]*' : '[^\\n]*?';
      default:
        return assertNever(token, 'token');
    }
  });
  return new RegExp(parts.join(''), `u${flags}`);
}

function codePointLength(text: string): number {
  return Array.from(text).length;
}

const textChar = fc.constantFrom('a', 'b', '*', '?', '\n', '😀');
const patternPiece = fc.constantFrom('a', 'b', '*', '?', '\\*', '\\?', '\\\\', '😀', '\n', '[', '.');
const patternArb = fc.array(patternPiece, { maxLength: 8 }).map((pieces) => pieces.join(''));
const textArb = fc.array(textChar, { maxLength: 14 }).map((chars) => chars.join(''));

describe('compileShellPattern', () => {
  it('reads wildcards, escapes and literal brackets', () => {
    assert.deepEqual(compileShellPattern('a*?\\*\\?\\\\[x]').tokens, [
      { kind: 'literal', char: 'a' },
      { kind: 'star' },
      { kind: 'any' },
      { kind: 'literal', char: '*' },
      { kind: 'literal', char: '?' },
      { kind: 'literal', char: '\\' },
      { kind: 'literal', char: '[' },
      { kind: 'literal', char: 'x' },
      { kind: 'literal', char: ']' },
    ]);
  });
  it('drops the backslash before } and /', () => {
    assert.deepEqual(compileShellPattern('\\}\\/').tokens, [
      { kind: 'literal', char: '}' },
      { kind: 'literal', char: '/' },
    ]);
  });
  it('rejects other escapes with E_EXPANSION', () => {
    for (const bad of ['\\a', '\\', 'x\\', '\\$']) {
      assert.throws(
        () => compileShellPattern(bad),
        (error: unknown) => isKilnError(error) && error.code === ErrorCode.Expansion,
        bad,
      );
    }
  });
});

describe('reverseShellPattern (upstream TestReversePattern table)', () => {
  const table: readonly [string, string][] = [
    ['a\\*c', 'c\\*a'],
    ['\\\\\\ab', 'b\\a\\\\'],
    ['ab\\', '\\ba'],
    ['👽\\🚀🖖', '🖖\\🚀👽'],
    ['\\\\b', 'b\\\\'],
  ];
  for (const [input, expected] of table) {
    it(`${input} -> ${expected}`, () => assert.equal(reverseShellPattern(input), expected));
  }
});

describe('matcher agrees with the backtracking regexp', () => {
  it('shortest and longest anchored prefix', () => {
    fc.assert(
      fc.property(patternArb, textArb, fc.boolean(), (source, text, longest) => {
        let pattern: ShellPattern;
        try {
          pattern = compileShellPattern(source);
        } catch {
          return;
        }
        const match = oracle(pattern, longest, 'y').exec(text);
        const expected = match === null ? undefined : codePointLength(match[0]);
        assert.equal(matchPrefix(pattern, Array.from(text), longest), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('leftmost, then longest, unanchored match from any start', () => {
    fc.assert(
      fc.property(patternArb, textArb, fc.nat(16), (source, text, rawFrom) => {
        let pattern: ShellPattern;
        try {
          pattern = compileShellPattern(source);
        } catch {
          return;
        }
        const chars = Array.from(text);
        const from = rawFrom % (chars.length + 1);
        const regex = oracle(pattern, true, 'g');
        regex.lastIndex = chars.slice(0, from).join('').length;
        const match = regex.exec(text);
        const expected =
          match === null
            ? undefined
            : {
                start: codePointLength(text.slice(0, match.index)),
                end: codePointLength(text.slice(0, match.index + match[0].length)),
              };
        assert.deepEqual(findLeftmostLongest(pattern, chars, from), expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('replacement (Go ReplaceAllString rules)', () => {
  const chars = (text: string) => Array.from(text);
  it('replaces the first match literally', () => {
    assert.equal(replaceFirst(compileShellPattern('o'), chars('foo'), '$0'), 'f$0o');
  });
  it('replaces all matches, treating the replacement as a Go template', () => {
    assert.equal(replaceAll(compileShellPattern('o'), chars('foo'), '[$0]'), 'f[o][o]');
    assert.equal(replaceAll(compileShellPattern('a'), chars('a'), '[$0$$${0}$1$x${y]'), '[a$a${y]');
    assert.equal(replaceAll(compileShellPattern('a'), chars('a'), '$00|${00}|$'), '||$');
  });
  it('handles empty matches like Go', () => {
    assert.equal(replaceAll(compileShellPattern(''), chars('abc'), '-'), '-a-b-c-');
    assert.equal(replaceAll(compileShellPattern('*'), chars('abc'), 'X'), 'X');
    assert.equal(replaceAll(compileShellPattern('*'), chars('a\nb'), 'X'), 'X\nX');
    assert.equal(replaceAll(compileShellPattern('*'), chars(''), 'X'), 'X');
  });
  it('leaves text without a match alone', () => {
    assert.equal(replaceAll(compileShellPattern('z*'), chars('abc'), 'X'), 'abc');
    assert.equal(replaceFirst(compileShellPattern('z'), chars('abc'), 'X'), 'abc');
  });
});
