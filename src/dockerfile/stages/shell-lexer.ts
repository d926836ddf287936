/**
 * The project's shell lexer (`dockerfile/shell`) as the resolver's WordLexer.
 */
import { processWords, processWordWithMatches } from '../shell/index.js';
import type { WordLexer } from './word-lexer.js';

const lexer: WordLexer = {
  processWordWithMatches: (word, env, options) => processWordWithMatches(word, env, options),
  processWords: (word, env, options) => processWords(word, env, options),
};

/** The shared, frozen lexer instance. */
export const shellLexer: WordLexer = Object.freeze(lexer);
