/**
 * Knobs of the shell word lexer. They mirror the fields of BuildKit's `shell.Lex`
 * (frontend/dockerfile/shell/lex.go): the escape token and the Raw/Skip switches.
 */
import { ErrorCode, KilnError } from '../../errors.js';

import type { EscapeToken } from '../escape-token.js';

export type { EscapeToken };

export interface ShellOptions {
  /** Escape character; `\` by default. With `` ` `` the backslash is an ordinary character. */
  readonly escapeToken?: EscapeToken;
  /** Leave references to unset variables as written (`$FOO`, `${FOO:-x}`) instead of expanding them. */
  readonly skipUnsetEnv?: boolean;
  /** Keep quote characters in the result (their content is still treated as quoted). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result (the escaped character is still taken literally). */
  readonly rawEscapes?: boolean;
  /** Treat quote characters as ordinary characters. */
  readonly skipProcessQuotes?: boolean;
}

/** Options with every default applied. */
export interface ResolvedShellOptions {
  readonly escapeToken: EscapeToken;
  readonly skipUnsetEnv: boolean;
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
  readonly skipProcessQuotes: boolean;
}

/** Applies defaults and rejects an escape token other than `\` or `` ` ``. */
export function resolveShellOptions(options: ShellOptions = {}): ResolvedShellOptions {
  const escapeToken = options.escapeToken ?? '\\';
  if (escapeToken !== '\\' && escapeToken !== '`') {
    throw new KilnError(
      ErrorCode.Usage,
      `invalid escape token ${JSON.stringify(escapeToken)}: must be "\\" or "\`"`,
    );
  }
  return {
    escapeToken,
    skipUnsetEnv: options.skipUnsetEnv ?? false,
    rawQuotes: options.rawQuotes ?? false,
    rawEscapes: options.rawEscapes ?? false,
    skipProcessQuotes: options.skipProcessQuotes ?? false,
  };
}
