/**
 * BuildKit's `parseWords`: splits on unquoted whitespace but keeps quotes and escape characters in the
 * words (they are removed later, during word expansion). Used for ENV/LABEL/ARG arguments.
 */

import type { EscapeToken } from '../escape-token.js';
import { codePointAt, isGoSpace } from './go-text.js';

export type { EscapeToken };

type Phase = 'spaces' | 'word' | 'quote';

/**
 * Splits `rest` into words the way BuildKit's parser does before instructions are typed:
 * `foo bar 'abc xyz'` → `foo`, `bar`, `'abc xyz'`. An escape character keeps the next character in the
 * word (even whitespace); a trailing escape character is dropped.
 */
export function parseWords(rest: string, escapeToken: EscapeToken = '\\'): string[] {
  const words: string[] = [];
  let phase: Phase = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  let ch = '';
  let width = 0;
  const len = rest.length;

  for (let pos = 0; pos <= len; pos += width) {
    if (pos !== len) ({ width, ch } = nextCodePoint(rest, pos));
    if (phase === 'spaces') {
      if (pos === len) break;
      if (isGoSpace(ch.codePointAt(0) ?? 0)) continue;
      phase = 'word';
    }
    if (pos === len) {
      if (blankOk || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.codePointAt(0) ?? 0)) {
        phase = 'spaces';
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + width === len) continue; // an escape token at the very end is dropped
        word += ch;
        ({ pos, width, ch } = nextCodePoint(rest, pos + width));
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + width === len) {
        phase = 'word';
        continue;
      }
      word += ch;
      ({ pos, width, ch } = nextCodePoint(rest, pos + width));
    }
    word += ch;
  }
  return words;
}

/** The code point at `pos` (the character an escape token keeps in the word). */
function nextCodePoint(text: string, pos: number): { pos: number; width: number; ch: string } {
  const { width } = codePointAt(text, pos);
  return { pos, width, ch: text.slice(pos, pos + width) };
}
