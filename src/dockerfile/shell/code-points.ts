/**
 * Reading text one Unicode code point at a time, as Go's text/scanner does for BuildKit's lexer.
 */

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Splits text into code points. Like Go's text/scanner, a byte order mark at the very start is
 * skipped (anywhere else it is an ordinary character).
 */
export function toCodePoints(text: string): readonly string[] {
  const chars = Array.from(text);
  return chars[0] === BYTE_ORDER_MARK ? chars.slice(1) : chars;
}

/** A read position over code points; `undefined` stands for end of input. */
export class CodePointCursor {
  readonly #chars: readonly string[];
  #index = 0;

  constructor(chars: readonly string[]) {
    this.#chars = chars;
  }

  peek(): string | undefined {
    return this.#chars[this.#index];
  }

  next(): string | undefined {
    const ch = this.#chars[this.#index];
    if (ch !== undefined) this.#index += 1;
    return ch;
  }

  atEnd(): boolean {
    return this.#index >= this.#chars.length;
  }
}
