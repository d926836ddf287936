/**
 * Splits expanded text into words the way BuildKit's lexer does: unquoted whitespace (Go's
 * unicode.IsSpace) separates words; quoted and escaped text is added raw. A word that stays empty
 * (`""`) produces nothing.
 */

const SPACE = /^\p{White_Space}$/u;

/** Whether `ch` is whitespace by Go's unicode.IsSpace. */
export function isShellSpace(ch: string): boolean {
  return SPACE.test(ch);
}

export class WordCollector {
  readonly #words: string[] = [];
  #buffer = '';
  #inWord = false;

  /** Adds a character that splits words when it is whitespace. */
  addChar(ch: string): void {
    if (isShellSpace(ch)) {
      if (this.#inWord && this.#buffer.length > 0) {
        this.#words.push(this.#buffer);
        this.#buffer = '';
        this.#inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  /** Adds a character that never splits (escaped). */
  addRawChar(ch: string): void {
    this.#buffer += ch;
    this.#inWord = true;
  }

  /** Adds unquoted expansion output, splitting at whitespace. */
  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  /** Adds quoted text as part of the current word. */
  addRawString(text: string): void {
    this.#buffer += text;
    this.#inWord = true;
  }

  /** The words so far, with the pending one. */
  finish(): string[] {
    if (this.#buffer.length > 0) {
      this.#words.push(this.#buffer);
      this.#buffer = '';
      this.#inWord = false;
    }
    return [...this.#words];
  }
}
