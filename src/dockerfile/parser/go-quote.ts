/**
 * Go's `strconv.Quote` (and `%q` of a `[]string`), needed to reproduce BuildKit's AST dump byte for byte.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const NAMED_ESCAPES: Readonly<Record<number, string>> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
};

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** Bytes of a lone surrogate as Go would see them (invalid UTF-8, one `\xNN` per byte). */
function loneSurrogateBytes(code: number): string {
  const b1 = 0xe0 | (code >> 12);
  const b2 = 0x80 | ((code >> 6) & 0x3f);
  const b3 = 0x80 | (code & 0x3f);
  return `\\x${hex(b1, 2)}\\x${hex(b2, 2)}\\x${hex(b3, 2)}`;
}

function quoteCodePoint(cp: number, ch: string): string {
  if (cp === 0x22) return '\\"';
  if (cp === 0x5c) return '\\\\';
  if (cp >= 0x20 && cp < 0x7f) return ch;
  if (cp >= 0x80 && PRINTABLE.test(ch)) return ch;
  const named = NAMED_ESCAPES[cp];
  if (named !== undefined) return named;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp >= 0xd800 && cp <= 0xdfff) return loneSurrogateBytes(cp);
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** `strconv.Quote(s)`: a double-quoted Go string literal, printable Unicode kept as is. */
export function goQuote(text: string): string {
  let out = '"';
  let plainStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += text.slice(plainStart, i);
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    out += quoteCodePoint(cp, text.slice(i, i + width));
    i += width - 1;
    plainStart = i + 1;
  }
  return out + text.slice(plainStart) + '"';
}

/** `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}
