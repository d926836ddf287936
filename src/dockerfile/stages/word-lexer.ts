/**
 * The word-expansion functions the resolver needs (implemented by `dockerfile/shell`), as an interface
 * so the resolver can be driven by any lexer with the same contract.
 */

/** Options passed through to the shell lexer. */
export interface LexOptions {
  readonly escapeToken?: '\\' | '`';
  /** Quotes are ordinary characters (heredoc bodies). */
  readonly skipProcessQuotes?: boolean;
}

/** Result of expanding one word. */
export interface WordMatches {
  readonly result: string;
  /** Variable names found in the env. */
  readonly matched: Iterable<string>;
  /** Variable names referenced but not set. */
  readonly unmatched: Iterable<string>;
}

export type Env = Readonly<Record<string, string>>;

export interface WordLexer {
  /** Expands one word without field splitting. */
  processWordWithMatches(word: string, env: Env, options?: LexOptions): WordMatches;
  /** Expands and splits a word into several (unquoted whitespace splits). */
  processWords(word: string, env: Env, options?: LexOptions): readonly string[];
}
