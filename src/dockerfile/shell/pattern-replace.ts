/**
 * `${V/p/r}` and `${V//p/r}`. BuildKit replaces the first match literally, and all matches through
 * Go's `Regexp.ReplaceAllString`, whose replacement is a template: `$0`/`${0}` is the match, `$$` a
 * dollar, other `$name`/`${name}` references are empty (BuildKit's patterns have no groups), and a
 * malformed reference stays as written. Empty matches follow Go's rules.
 */

import type { ShellPattern } from './pattern.js';
import { findLeftmostLongest, type PatternMatch } from './pattern-match.js';

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;
const MAX_GROUP_NUMBER = 1e8;

/** Replaces the first (leftmost, longest) match of the pattern, literally. */
export function replaceFirst(pattern: ShellPattern, text: readonly string[], replacement: string): string {
  const match = findLeftmostLongest(pattern, text, 0);
  if (match === undefined) return text.join('');
  return text.slice(0, match.start).join('') + replacement + text.slice(match.end).join('');
}

/** Replaces every match the way Go's ReplaceAllString does (template replacement). */
export function replaceAll(pattern: ShellPattern, text: readonly string[], template: string): string {
  const parts: string[] = [];
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    const match = findLeftmostLongest(pattern, text, searchPos);
    if (match === undefined) break;
    parts.push(text.slice(lastMatchEnd, match.start).join(''));
    // No replacement for an empty match right after the previous match.
    if (match.end > lastMatchEnd || match.start === 0) {
      parts.push(expandTemplate(template, text, match));
    }
    lastMatchEnd = match.end;
    const width = searchPos < text.length ? 1 : 0;
    if (searchPos + width > match.end) searchPos += width;
    else if (searchPos + 1 > match.end) searchPos += 1;
    else searchPos = match.end;
  }
  parts.push(text.slice(lastMatchEnd).join(''));
  return parts.join('');
}

/** Go's Regexp.Expand for a regexp without capture groups. */
function expandTemplate(template: string, text: readonly string[], match: PatternMatch): string {
  const chars = Array.from(template);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i]!;
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    if (chars[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const reference = readReference(chars, i + 1);
    if (reference === undefined) {
      out += '$';
      i += 1;
      continue;
    }
    if (reference.group === 0) out += text.slice(match.start, match.end).join('');
    i = reference.end;
  }
  return out;
}

/** A `name` or `{name}` reference after a `$`: its group number (-1 for names) and where it ends. */
function readReference(chars: readonly string[], from: number): { group: number; end: number } | undefined {
  let i = from;
  const braced = chars[i] === '{';
  if (braced) i += 1;
  const nameStart = i;
  while (i < chars.length && NAME_CHAR.test(chars[i]!)) i += 1;
  if (i === nameStart) return undefined;
  const name = chars.slice(nameStart, i);
  if (braced) {
    if (chars[i] !== '}') return undefined;
    i += 1;
  }
  return { group: groupNumber(name), end: i };
}

function groupNumber(name: readonly string[]): number {
  let number = 0;
  for (const ch of name) {
    if (ch < '0' || ch > '9' || number >= MAX_GROUP_NUMBER) return -1;
    number = number * 10 + (ch.charCodeAt(0) - 48);
  }
  if (name[0] === '0' && name.length > 1) return -1;
  return number;
}
