/**
 * The exec-form argument parser: BuildKit's `parseJSON` (Go `encoding/json` into `[]any`).
 *
 * The outcome decides between exec form, an error, and BuildKit's fallback to shell form:
 * - `strings`: valid JSON array of strings only;
 * - `not-strings`: valid JSON array with a non-string member (BuildKit: an error);
 * - `invalid`: not a JSON array, or JSON Go would refuse (syntax, nesting deeper than 10000, a number
 *   out of float64 range): BuildKit falls back to the shell form.
 *
 * Written as an iterative scanner: linear time, no recursion, no catastrophic regular expressions.
 */
import { goTrimLeftSpace } from './go-text.js';

export type JsonArrayResult =
  | { readonly kind: 'strings'; readonly values: readonly string[] }
  | { readonly kind: 'not-strings' }
  | { readonly kind: 'invalid' };

/** Go's encoding/json maximum nesting depth. */
const MAX_DEPTH = 10000;

const INVALID: JsonArrayResult = { kind: 'invalid' };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

type Mode = 'value' | 'value-or-array-end' | 'key' | 'key-or-object-end' | 'colon' | 'comma-or-end' | 'done';

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

interface Scanned<T> {
  readonly value: T;
  readonly end: number;
}

function readHex4(text: string, at: number): number | undefined {
  if (at + 4 > text.length) return undefined;
  for (let k = at; k < at + 4; k++) if (!isHex(text.charCodeAt(k))) return undefined;
  return Number.parseInt(text.slice(at, at + 4), 16);
}

/** Reads a JSON string starting at the opening quote; decodes like Go (unpaired surrogates → U+FFFD). */
function readString(text: string, start: number): Scanned<string> | undefined {
  const parts: string[] = [];
  let i = start + 1;
  let chunk = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      parts.push(text.slice(chunk, i));
      return { value: parts.join(''), end: i + 1 };
    }
    if (c < 0x20) return undefined;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i += 2;
        continue;
      }
      parts.push(text.slice(chunk, i), '\ufffd');
      i++;
      chunk = i;
      continue;
    }
    if (c !== 0x5c) {
      i++;
      continue;
    }
    parts.push(text.slice(chunk, i));
    const esc = text[i + 1];
    if (esc === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      parts.push(simple);
      i += 2;
    } else if (esc === 'u') {
      const unit = readHex4(text, i + 2);
      if (unit === undefined) return undefined;
      i += 6;
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const low = text[i] === '\\' && text[i + 1] === 'u' ? readHex4(text, i + 2) : undefined;
        if (unit <= 0xdbff && low !== undefined && low >= 0xdc00 && low <= 0xdfff) {
          parts.push(String.fromCharCode(unit, low));
          i += 6;
        } else {
          parts.push('\ufffd');
        }
      } else {
        parts.push(String.fromCharCode(unit));
      }
    } else {
      return undefined;
    }
    chunk = i;
  }
  return undefined;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Reads a JSON number; `value` is false when Go would fail to convert it to float64 (overflow). */
function readNumber(text: string, start: number): Scanned<boolean> | undefined {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    return undefined;
  }
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return undefined;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) return undefined;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return { value: Number.isFinite(Number(text.slice(start, i))), end: i };
}

/**
 * Parses the argument text of an exec-form instruction (BuildKit `parseJSON`): leading Go whitespace is
 * ignored, the text must start with `[` and be exactly one JSON value.
 */
export function parseJsonArray(input: string): JsonArrayResult {
  const text = goTrimLeftSpace(input);
  if (!text.startsWith('[')) return INVALID;
  const stack: Array<'array' | 'object'> = [];
  const values: string[] = [];
  let nonString = false;
  let overflow = false;
  let mode: Mode = 'value';
  let i = 0;

  const afterValue = (): Mode => (stack.length === 0 ? 'done' : 'comma-or-end');
  /** Called when a value starts directly inside the top-level array (depth 1). */
  const memberIsNotString = (): void => {
    if (stack.length === 1) nonString = true;
  };

  for (;;) {
    while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) break;
    const ch = text[i];
    switch (mode) {
      case 'done':
        return INVALID;
      case 'colon':
        if (ch !== ':') return INVALID;
        i++;
        mode = 'value';
        continue;
      case 'comma-or-end': {
        const top = stack[stack.length - 1];
        if (ch === ',') {
          i++;
          mode = top === 'array' ? 'value' : 'key';
        } else if ((ch === ']' && top === 'array') || (ch === '}' && top === 'object')) {
          i++;
          stack.pop();
          mode = afterValue();
        } else {
          return INVALID;
        }
        continue;
      }
      case 'key':
      case 'key-or-object-end': {
        if (mode === 'key-or-object-end' && ch === '}') {
          i++;
          stack.pop();
          mode = afterValue();
          continue;
        }
        if (ch !== '"') return INVALID;
        const key = readString(text, i);
        if (key === undefined) return INVALID;
        i = key.end;
        mode = 'colon';
        continue;
      }
      case 'value':
      case 'value-or-array-end': {
        if (mode === 'value-or-array-end' && ch === ']') {
          i++;
          stack.pop();
          mode = afterValue();
          continue;
        }
        if (ch === '[' || ch === '{') {
          memberIsNotString();
          stack.push(ch === '[' ? 'array' : 'object');
          if (stack.length > MAX_DEPTH) return INVALID;
          i++;
          mode = ch === '[' ? 'value-or-array-end' : 'key-or-object-end';
          continue;
        }
        if (ch === '"') {
          const str = readString(text, i);
          if (str === undefined) return INVALID;
          if (stack.length === 1) values.push(str.value);
          i = str.end;
        } else if (ch === '-' || isDigit(text.charCodeAt(i))) {
          const num = readNumber(text, i);
          if (num === undefined) return INVALID;
          if (!num.value) overflow = true;
          memberIsNotString();
          i = num.end;
        } else {
          const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
          if (literal === undefined) return INVALID;
          memberIsNotString();
          i += literal.length;
        }
        mode = afterValue();
        continue;
      }
    }
  }
  if (mode !== 'done' || overflow) return INVALID;
  return nonString ? { kind: 'not-strings' } : { kind: 'strings', values };
}
