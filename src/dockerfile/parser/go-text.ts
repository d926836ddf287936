/**
 * Text helpers that reproduce Go's `unicode`/`strings` semantics, so that the parser treats whitespace,
 * case and trimming exactly as BuildKit's Go code does (JavaScript's `trim()`/`\s` differ: they include
 * U+FEFF and exclude nothing Go excludes, and `toLowerCase()` may produce several code points).
 */

/** Go's `unicode.IsSpace` for one code point. */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) {
    return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  }
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Go regexp `\s` (Perl class): tab, newline, form feed, carriage return, space. No `\v`. */
export function isPerlSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r';
}

/** The code point at `index` (a UTF-16 index) and its width in UTF-16 units. */
export function codePointAt(text: string, index: number): { readonly cp: number; readonly width: number } {
  const cp = text.codePointAt(index) ?? 0;
  return { cp, width: cp > 0xffff ? 2 : 1 };
}

/** Index of the first code point that is not a Go space, from `start`. */
export function skipGoSpace(text: string, start = 0): number {
  let i = start;
  while (i < text.length) {
    const { cp, width } = codePointAt(text, i);
    if (!isGoSpace(cp)) break;
    i += width;
  }
  return i;
}

/** `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(text: string): string {
  const start = skipGoSpace(text);
  return start === 0 ? text : text.slice(start);
}

/** `strings.TrimRightFunc(s, unicode.IsSpace)`. */
export function goTrimRightSpace(text: string): string {
  let end = text.length;
  while (end > 0) {
    const code = text.charCodeAt(end - 1);
    const isLowSurrogate = code >= 0xdc00 && code <= 0xdfff;
    // Every Go space is in the BMP, so a low surrogate always ends a non-space character.
    if (isLowSurrogate || !isGoSpace(code)) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** `strings.TrimSpace`. */
export function goTrimSpace(text: string): string {
  return goTrimRightSpace(goTrimLeftSpace(text));
}

/** `strings.ToLower`: simple per-code-point lowercase mapping, never changing the number of code points. */
export function goToLower(text: string): string {
  let asciiOnly = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      asciiOnly = false;
      break;
    }
  }
  if (asciiOnly) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    if (ch === '\u0130') {
      out += 'i'; // Go maps U+0130 to U+0069; JavaScript would add a combining dot.
      continue;
    }
    const lower = ch.toLowerCase();
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/** bytes.TrimRight(line, "\r\n"): removes every trailing CR and LF. */
export function trimNewline(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** Replaces unpaired UTF-16 surrogates by U+FFFD (what Go produces when decoding such input). */
export function toWellFormed(text: string): string {
  let out: string | undefined;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    out = (out ?? '') + text.slice(last, i) + '\ufffd';
    last = i + 1;
  }
  return out === undefined ? text : out + text.slice(last);
}

/** Number of bytes of `text` in UTF-8 (unpaired surrogates count 3, like WTF-8). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}
