/**
 * The word lexer: quote removal, escapes and `$` expansion over one word, following BuildKit's
 * frontend/dockerfile/shell/lex.go behaviour. One instance handles one word; errors are KilnErrors
 * (E_EXPANSION) carrying BuildKit's inner message, which the public functions wrap.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { CodePointCursor, toCodePoints } from './code-points.js';
import { lookupEnv, type ShellEnv } from './env.js';
import type { ResolvedShellOptions } from './options.js';
import { compileShellPattern, reverseShellPattern, type ShellPattern } from './pattern.js';
import { matchPrefix } from './pattern-match.js';
import { replaceAll, replaceFirst } from './pattern-replace.js';
import { WordCollector } from './word-collector.js';

/** Deepest nesting of `${…}` and quotes inside them; far beyond real Dockerfiles, well within the JS stack. */
export const MAX_NESTING = 1000;

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const DIGIT = /^\p{Nd}$/u;
const SPECIAL_PARAMETERS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/** A word expanded together with the names it referenced. */
export interface WordExpansion {
  /** The word with quotes removed, escapes processed and variables expanded (no splitting). */
  readonly result: string;
  /** The same word split as `processWords` splits it. */
  readonly words: readonly string[];
  /** Names referenced that are set (an empty value counts as set). */
  readonly matched: ReadonlySet<string>;
  /** Names referenced that are not set. */
  readonly unmatched: ReadonlySet<string>;
}

/** What one run of the lexer produced: `words` is present only when words were requested. */
export type LexResult = Omit<WordExpansion, 'words'> & { readonly words: readonly string[] | undefined };

export interface LexInput {
  readonly word: string;
  readonly env: ShellEnv;
  readonly options: ResolvedShellOptions;
  readonly collectWords: boolean;
}

/** Expands one word. Throws KilnError(E_EXPANSION) with BuildKit's inner message on failure. */
export function lexWord(input: LexInput): LexResult {
  const lexer = new WordLexer(input);
  return lexer.run(input.collectWords);
}

class WordLexer {
  readonly #cursor: CodePointCursor;
  readonly #env: ShellEnv;
  readonly #options: ResolvedShellOptions;
  readonly #matched = new Set<string>();
  readonly #unmatched = new Set<string>();
  #rawEscapes: boolean;
  #depth = 0;

  constructor(input: LexInput) {
    this.#cursor = new CodePointCursor(toCodePoints(input.word));
    this.#env = input.env;
    this.#options = input.options;
    this.#rawEscapes = input.options.rawEscapes;
  }

  run(collectWords: boolean): LexResult {
    const words = collectWords ? new WordCollector() : undefined;
    const result = this.#processUntil(undefined, this.#options.rawEscapes, words);
    return { result, words: words?.finish(), matched: this.#matched, unmatched: this.#unmatched };
  }

  /**
   * Processes text until `stop` (consumed) or the end of input (an error when `stop` is set).
   * `rawEscapes` applies while this call runs.
   */
  #processUntil(stop: string | undefined, rawEscapes: boolean, words: WordCollector | undefined): string {
    const savedRawEscapes = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    this.#enter();
    try {
      return this.#processText(stop, words);
    } finally {
      this.#depth -= 1;
      this.#rawEscapes = savedRawEscapes;
    }
  }

  #processText(stop: string | undefined, words: WordCollector | undefined): string {
    const cursor = this.#cursor;
    const escapeToken = this.#options.escapeToken;
    const handleQuotes = !this.#options.skipProcessQuotes;
    let result = '';
    for (let ch = cursor.peek(); ch !== undefined; ch = cursor.peek()) {
      if (ch === stop) {
        cursor.next();
        return result;
      }
      if (ch === '$') {
        const value = this.#processDollar();
        result += value;
        words?.addString(value);
        continue;
      }
      if (handleQuotes && (ch === "'" || ch === '"')) {
        const quoted = ch === "'" ? this.#processSingleQuote() : this.#processDoubleQuote();
        result += quoted;
        words?.addRawString(quoted);
        continue;
      }
      cursor.next();
      if (ch !== escapeToken) {
        words?.addChar(ch);
        result += ch;
        continue;
      }
      if (this.#rawEscapes) {
        words?.addRawChar(ch);
        result += ch;
      }
      const escaped = cursor.next();
      // An escape at the very end is dropped.
      if (escaped === undefined) break;
      words?.addRawChar(escaped);
      result += escaped;
    }
    if (stop !== undefined) {
      throw expansionError(`unexpected end of statement while looking for matching ${stop}`);
    }
    return result;
  }

  /** `'…'`: everything literal up to the next single quote. */
  #processSingleQuote(): string {
    const cursor = this.#cursor;
    const open = cursor.next()!;
    let result = this.#options.rawQuotes ? open : '';
    for (;;) {
      const ch = cursor.next();
      if (ch === undefined) {
        throw expansionError('unexpected end of statement while looking for matching single-quote');
      }
      if (ch === "'") return this.#options.rawQuotes ? result + ch : result;
      result += ch;
    }
  }

  /** `"…"`: `$` expands; the escape token escapes only `"`, `$` and itself. */
  #processDoubleQuote(): string {
    const cursor = this.#cursor;
    const escapeToken = this.#options.escapeToken;
    const open = cursor.next()!;
    let result = this.#options.rawQuotes ? open : '';
    this.#enter();
    try {
      for (;;) {
        const peeked = cursor.peek();
        if (peeked === undefined) {
          throw expansionError('unexpected end of statement while looking for matching double-quote');
        }
        if (peeked === '"') {
          cursor.next();
          return this.#options.rawQuotes ? result + peeked : result;
        }
        if (peeked === '$') {
          result += this.#processDollar();
          continue;
        }
        let ch = cursor.next()!;
        if (ch === escapeToken) {
          if (this.#rawEscapes) result += ch;
          const following = cursor.peek();
          // An escape at the end is ignored; the missing quote is reported next round.
          if (following === undefined) continue;
          if (following === '"' || following === '$' || following === escapeToken) ch = cursor.next()!;
        }
        result += ch;
      }
    } finally {
      this.#depth -= 1;
    }
  }

  /** `$name`, `${name}` and `${name<modifier>…}`; the cursor is on the `$`. */
  #processDollar(): string {
    const cursor = this.#cursor;
    cursor.next();
    if (cursor.peek() !== '{') {
      const name = this.#processName();
      if (name === '') return '$';
      const value = this.#getEnv(name);
      if (value === undefined && this.#options.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    cursor.next();
    const first = cursor.peek();
    if (first === undefined) throw expansionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':')
      throw expansionError('syntax error: bad substitution');
    const name = this.#processName();
    const ch = cursor.next();
    switch (ch) {
      case undefined:
        throw expansionError("syntax error: missing '}'");
      case '}': {
        const value = this.#getEnv(name);
        if (value === undefined && this.#options.skipUnsetEnv) return `\${${name}}`;
        return value ?? '';
      }
      case ':': {
        const modifier = cursor.next();
        return this.#processModifier({ name, modifier, nullIsUnset: true, written: `:${modifier ?? ''}` });
      }
      case '+':
      case '-':
      case '?':
      case '#':
      case '%':
        return this.#processModifier({ name, modifier: ch, nullIsUnset: false, written: ch });
      case '/':
        return this.#processReplace(name);
      default:
        throw unsupportedModifier(ch);
    }
  }

  /** `${name[:]op word}` for op in `- + ? # %`; the cursor is after the operator. */
  #processModifier(spec: ModifierSpec): string {
    const { name, modifier, nullIsUnset, written } = spec;
    const isPattern = modifier === '#' || modifier === '%';
    if (nullIsUnset && isPattern) throw unsupportedModifier(written);
    const word = this.#processOperand('}', isPattern, "syntax error: missing '}'");
    const value = this.#getEnv(name);
    if (value === undefined && this.#options.skipUnsetEnv) return `\${${name}${written}${word}}`;
    const unsetOrNull = value === undefined || (nullIsUnset && value === '');
    switch (modifier) {
      case '-':
        return unsetOrNull ? word : (value ?? '');
      case '+':
        return unsetOrNull ? '' : word;
      case '?':
        if (value === undefined) throw expansionError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '')
          throw expansionError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%':
        return trimPattern({ value: value ?? '', word, suffix: modifier === '%' });
      default:
        throw unsupportedModifier(written);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`; the cursor is after the first `/`. */
  #processReplace(name: string): string {
    const cursor = this.#cursor;
    const all = cursor.peek() === '/';
    if (all) cursor.next();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: BuildKit's message names ${} literally
    const pattern = this.#processOperand('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.#processOperand('}', true, "syntax error: missing '}'");
    const value = this.#getEnv(name);
    // BuildKit writes a single slash back here, also for `//`.
    if (value === undefined && this.#options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const compiled = compilePatternFor(pattern);
    const text = Array.from(value ?? '');
    return all ? replaceAll(compiled, text, replacement) : replaceFirst(compiled, text, replacement);
  }

  /** Processes an operand up to `stop`; running out of input reports `missingMessage`. */
  #processOperand(stop: string, rawEscapes: boolean, missingMessage: string): string {
    try {
      return this.#processUntil(stop, rawEscapes, undefined);
    } catch (error) {
      if (this.#cursor.atEnd()) throw expansionError(missingMessage, error);
      throw error;
    }
  }

  /** A name: letters, digits and `_`; or a run of digits; or one special parameter character. */
  #processName(): string {
    const cursor = this.#cursor;
    let name = '';
    for (let ch = cursor.peek(); ch !== undefined; ch = cursor.peek()) {
      if (name === '' && DIGIT.test(ch)) {
        for (let digit = cursor.peek(); digit !== undefined && DIGIT.test(digit); digit = cursor.peek()) {
          name += cursor.next();
        }
        return name;
      }
      if (name === '' && SPECIAL_PARAMETERS.has(ch)) {
        cursor.next();
        return ch;
      }
      if (ch !== '_' && !LETTER_OR_DIGIT.test(ch)) break;
      name += cursor.next();
    }
    return name;
  }

  #getEnv(name: string): string | undefined {
    const value = lookupEnv(this.#env, name);
    if (value === undefined) this.#unmatched.add(name);
    else this.#matched.add(name);
    return value;
  }

  #enter(): void {
    this.#depth += 1;
    if (this.#depth > MAX_NESTING) {
      this.#depth -= 1;
      throw expansionError(`expression nested deeper than ${MAX_NESTING} levels`);
    }
  }
}

interface ModifierSpec {
  readonly name: string;
  /** The operator character; undefined when the input ended after `:`. */
  readonly modifier: string | undefined;
  readonly nullIsUnset: boolean;
  /** The operator as written (`:-`, `#`...), for messages and skipped expansions. */
  readonly written: string;
}

interface TrimSpec {
  readonly value: string;
  /** The expanded operand, still starting with the second `#`/`%` of the greedy forms. */
  readonly word: string;
  readonly suffix: boolean;
}

/** `${V#p}` `${V##p}` `${V%p}` `${V%%p}`: removes the shortest or longest matching prefix or suffix. */
function trimPattern(spec: TrimSpec): string {
  const operator = spec.suffix ? '%' : '#';
  const greedy = spec.word.startsWith(operator);
  const pattern = greedy ? spec.word.slice(1) : spec.word;
  if (!spec.suffix) {
    const text = Array.from(spec.value);
    const length = matchPrefix(compilePatternFor(pattern), text, greedy);
    return length === undefined ? spec.value : text.slice(length).join('');
  }
  const reversedText = Array.from(spec.value).reverse();
  const length = matchPrefix(compilePatternFor(reverseShellPattern(pattern)), reversedText, greedy);
  if (length === undefined) return spec.value;
  return reversedText.slice(length).reverse().join('');
}

function compilePatternFor(pattern: string): ShellPattern {
  try {
    return compileShellPattern(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw expansionError(`invalid pattern (${pattern}) in substitution: ${reason}`, error);
  }
}

function unsupportedModifier(written: string): KilnError {
  return expansionError(`unsupported modifier (${written}) in substitution`);
}

function expansionError(message: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.Expansion, message, cause === undefined ? {} : { cause });
}
