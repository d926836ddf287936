/**
 * A minimal shell-word splitter with the behaviour BuildKit's `shell.Lex.ProcessWords` has when the
 * parser uses it to find heredocs: escape character `\`, no environment and `SkipUnsetEnv` (so `$X` and
 * `${X...}` stay as written), optional raw quotes and raw escapes, and `<<` swallowing the whitespace
 * that follows it (`<< EOF` is one word). Full word expansion lives elsewhere; this only splits.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { isGoSpace } from './go-text.js';

export interface HeredocWordOptions {
  /** Keep quote characters in the words. */
  readonly rawQuotes: boolean;
  /** Keep escape characters in the words. */
  readonly rawEscapes: boolean;
}

const EOF = -1;
/** Nesting of `${...}` beyond this is refused (Go would recurse; JavaScript would overflow its stack). */
const MAX_NESTING = 1000;
const ESCAPE = 0x5c;
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function lexError(message: string): KilnError {
  return new KilnError(ErrorCode.DockerfileSyntax, message);
}

/** Words being collected: whitespace splits them unless it came from a quote or an escape. */
class WordCollector {
  readonly words: string[] = [];
  #word = '';
  #inWord = false;

  addChar(ch: string): void {
    if (isGoSpace(ch.codePointAt(0) ?? 0)) {
      if (this.#inWord && this.#word.length > 0) {
        this.words.push(this.#word);
        this.#word = '';
        this.#inWord = false;
      }
      return;
    }
    this.addRaw(ch);
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRaw(text: string): void {
    this.#word += text;
    this.#inWord = true;
  }

  finish(): string[] {
    if (this.#word.length > 0) this.words.push(this.#word);
    this.#word = '';
    this.#inWord = false;
    return this.words;
  }
}

/** A cursor over code points, like Go's text/scanner (a leading BOM is skipped). */
class Cursor {
  readonly #chars: readonly string[];
  #pos = 0;

  constructor(text: string) {
    const chars = Array.from(text);
    this.#chars = chars[0] === '\ufeff' ? chars.slice(1) : chars;
  }

  peek(): string | typeof EOF {
    return this.#chars[this.#pos] ?? EOF;
  }

  next(): string | typeof EOF {
    const ch = this.#chars[this.#pos];
    if (ch === undefined) return EOF;
    this.#pos++;
    return ch;
  }
}

class HeredocWordLexer {
  readonly #cur: Cursor;
  readonly #options: HeredocWordOptions;
  #depth = 0;

  constructor(text: string, options: HeredocWordOptions) {
    this.#cur = new Cursor(text);
    this.#options = options;
  }

  words(): string[] {
    return this.#processUntil(undefined).words;
  }

  /** Processes until `stop` (consumed) or the end; a missing `stop` is an error. */
  #processUntil(stop: string | undefined): { readonly text: string; readonly words: string[] } {
    const collector = new WordCollector();
    let result = '';
    for (;;) {
      const ch = this.#cur.peek();
      if (ch === EOF) break;
      if (stop !== undefined && ch === stop) {
        this.#cur.next();
        return { text: result, words: collector.finish() };
      }
      if (ch === "'" || ch === '"' || ch === '<') {
        const piece =
          ch === "'" ? this.#singleQuote() : ch === '"' ? this.#doubleQuote() : this.#possibleHeredoc();
        result += piece;
        collector.addRaw(piece);
        continue;
      }
      if (ch === '$') {
        const piece = this.#dollar();
        result += piece;
        collector.addString(piece);
        continue;
      }
      this.#cur.next();
      if (ch.codePointAt(0) === ESCAPE) {
        if (this.#options.rawEscapes) {
          collector.addRaw(ch);
          result += ch;
        }
        const escaped = this.#cur.next();
        if (escaped === EOF) break;
        collector.addRaw(escaped);
        result += escaped;
        continue;
      }
      collector.addChar(ch);
      result += ch;
    }
    if (stop !== undefined) throw lexError(`unexpected end of statement while looking for matching ${stop}`);
    return { text: result, words: collector.finish() };
  }

  #singleQuote(): string {
    const raw = this.#options.rawQuotes;
    this.#cur.next();
    let result = raw ? "'" : '';
    for (;;) {
      const ch = this.#cur.next();
      if (ch === EOF) throw lexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return raw ? `${result}'` : result;
      result += ch;
    }
  }

  #doubleQuote(): string {
    const raw = this.#options.rawQuotes;
    this.#cur.next();
    let result = raw ? '"' : '';
    for (;;) {
      const ch = this.#cur.peek();
      if (ch === EOF) throw lexError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.#cur.next();
        return raw ? `${result}"` : result;
      }
      if (ch === '$') {
        result += this.#dollar();
        continue;
      }
      let out = this.#cur.next() as string;
      if (out === '\\') {
        if (this.#options.rawEscapes) result += out;
        const after = this.#cur.peek();
        if (after === EOF) continue;
        if (after === '"' || after === '$' || after === '\\') out = this.#cur.next() as string;
      }
      result += out;
    }
  }

  /** `<` alone, or `<<` (optionally `<<-`) followed by the whitespace that precedes the delimiter. */
  #possibleHeredoc(): string {
    this.#cur.next();
    if (this.#cur.peek() !== '<') return '<';
    this.#cur.next();
    let result = '<<';
    if (this.#cur.peek() === '-') result += this.#cur.next();
    for (let ch = this.#cur.peek(); ch === ' ' || ch === '\t'; ch = this.#cur.peek()) {
      result += this.#cur.next();
    }
    return result;
  }

  #name(): string {
    let name = '';
    for (;;) {
      const ch = this.#cur.peek();
      if (ch === EOF) break;
      if (name === '' && DIGIT.test(ch)) {
        for (let d = this.#cur.peek(); d !== EOF && DIGIT.test(d); d = this.#cur.peek())
          name += this.#cur.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.#cur.next() as string;
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.#cur.next();
    }
    return name;
  }

  /** `$NAME` / `${...}` with every variable unset and kept as written. */
  #dollar(): string {
    this.#cur.next();
    if (this.#cur.peek() !== '{') {
      const name = this.#name();
      return `$${name}`;
    }
    this.#cur.next();
    const first = this.#cur.peek();
    if (first === EOF) throw lexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw lexError('syntax error: bad substitution');
    const name = this.#name();
    const op = this.#cur.next();
    if (op === '}') return `\${${name}}`;
    if (op === ':' || op === '+' || op === '-' || op === '?' || op === '#' || op === '%') {
      let modifier = op;
      if (op === ':') {
        const second = this.#cur.next();
        modifier += second === EOF ? '' : second;
        if (second === '#' || second === '%')
          throw lexError(`unsupported modifier (${modifier}) in substitution`);
      }
      const word = this.#wordUntil('}');
      return `\${${name}${modifier}${word}}`;
    }
    if (op === '/') {
      let slashes = '/';
      if (this.#cur.peek() === '/') slashes += this.#cur.next();
      const pattern = this.#wordUntil('/');
      const replacement = this.#wordUntil('}');
      return `\${${name}${slashes}${pattern}/${replacement}}`;
    }
    throw lexError(`unsupported modifier (${op === EOF ? '' : op}) in substitution`);
  }

  #wordUntil(stop: string): string {
    if (this.#depth >= MAX_NESTING) throw lexError('substitution nested too deeply');
    this.#depth++;
    try {
      return this.#processUntil(stop).text;
    } catch (error) {
      if (this.#cur.peek() === EOF) throw lexError("syntax error: missing '}'");
      throw error;
    } finally {
      this.#depth--;
    }
  }
}

/**
 * Splits `text` into shell words as BuildKit's heredoc detection does (see the module comment).
 * Throws KilnError(E_DOCKERFILE_SYNTAX) for unbalanced quotes and bad `${}` substitutions.
 */
export function heredocWords(text: string, options: HeredocWordOptions): string[] {
  return new HeredocWordLexer(text, options).words();
}
