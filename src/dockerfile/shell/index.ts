/**
 * Shell word expansion for Dockerfile instructions, behaving like BuildKit's shell lexer
 * (frontend/dockerfile/shell/lex.go): quotes, escapes, `$V`/`${V}` and the modifiers
 * `${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m} ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}`.
 * Pure functions: no I/O, no state between calls. Every failure is a KilnError with code E_EXPANSION.
 */
import { ErrorCode, isKilnError, KilnError } from '../../errors.js';
import type { ShellEnv } from './env.js';
import { type LexResult, lexWord, type WordExpansion } from './lexer.js';
import { resolveShellOptions, type ShellOptions } from './options.js';

export { envFromList, lookupEnv, type ShellEnv } from './env.js';
export type { WordExpansion } from './lexer.js';
export type { EscapeToken, ShellOptions } from './options.js';

/** Expands one word: quotes removed, escapes processed, variables expanded, no field splitting. */
export function processWord(word: string, env: ShellEnv, options?: ShellOptions): string {
  return expand(word, env, options, false).result;
}

/**
 * Expands a word and splits it at unquoted whitespace; whitespace that comes from an unquoted
 * expansion splits too, quoted or escaped whitespace does not. Empty words are dropped.
 */
export function processWords(word: string, env: ShellEnv, options?: ShellOptions): string[] {
  return [...(expand(word, env, options, true).words ?? [])];
}

/**
 * Expands a word and reports which variable names it used, set and unset — for "undefined
 * variable" warnings and for knowing which build args a step depends on.
 */
export function processWordWithMatches(word: string, env: ShellEnv, options?: ShellOptions): WordExpansion {
  const lexed = expand(word, env, options, true);
  return {
    result: lexed.result,
    words: lexed.words ?? [],
    matched: lexed.matched,
    unmatched: lexed.unmatched,
  };
}

function expand(
  word: string,
  env: ShellEnv,
  options: ShellOptions | undefined,
  collectWords: boolean,
): LexResult {
  const resolved = resolveShellOptions(options);
  try {
    return lexWord({ word, env, options: resolved, collectWords });
  } catch (error) {
    const reason = isKilnError(error) || error instanceof RangeError ? error.message : undefined;
    if (reason === undefined) throw error;
    throw new KilnError(ErrorCode.Expansion, `failed to process ${JSON.stringify(word)}: ${reason}`, {
      cause: error,
    });
  }
}
