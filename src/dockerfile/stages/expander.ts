/**
 * Word expansion for one instruction: records which variables were matched / unmatched and turns lexer
 * failures into errors located at the instruction.
 */
import { ErrorCode, isKilnError, KilnError, type SourceLocation } from '../../errors.js';
import type { Env, LexOptions, WordLexer } from './word-lexer.js';

export interface Expander {
  /** One word, no field splitting. */
  word(word: string, options?: LexOptions): string;
  /** Several words (EXPOSE). */
  words(word: string): readonly string[];
  /** An expander over another env that records into the same matched/unmatched sets. */
  withEnv(env: Env): Expander;
  readonly matched: ReadonlySet<string>;
  readonly unmatched: ReadonlySet<string>;
}

export interface ExpanderOptions {
  readonly lexer: WordLexer;
  readonly env: Env;
  readonly lexOptions: LexOptions;
  readonly location: SourceLocation;
}

function relocate(error: unknown, location: SourceLocation): KilnError {
  if (isKilnError(error)) {
    return new KilnError(error.code, error.message, {
      cause: error,
      location,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    });
  }
  return new KilnError(ErrorCode.Expansion, error instanceof Error ? error.message : String(error), {
    cause: error,
    location,
  });
}

/** An expander over a fixed env (the env before the instruction, as BuildKit expands). */
export function makeExpander(options: ExpanderOptions): Expander {
  return expanderOver(options, new Set<string>(), new Set<string>());
}

function expanderOver(options: ExpanderOptions, matched: Set<string>, unmatched: Set<string>): Expander {
  const { lexer, env, lexOptions, location } = options;
  /** Expands `word` recording the names it used; lexer failures are located at the instruction. */
  const expand = <T>(word: string, extra: LexOptions | undefined, then: (result: string) => T): T => {
    try {
      const r = lexer.processWordWithMatches(word, env, { ...lexOptions, ...extra });
      for (const m of r.matched) matched.add(m);
      for (const u of r.unmatched) unmatched.add(u);
      return then(r.result);
    } catch (error) {
      throw relocate(error, location);
    }
  };
  return {
    withEnv(next) {
      return expanderOver({ ...options, env: next }, matched, unmatched);
    },
    word: (word, extra) => expand(word, extra, (result) => result),
    // processWords reports no names: the word is also expanded once as a whole for the bookkeeping.
    words: (word) => expand(word, undefined, () => lexer.processWords(word, env, lexOptions)),
    matched,
    unmatched,
  };
}
