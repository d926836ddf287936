/**
 * Validation of an enumerated option value (`--network`, `--security`, mount `type=` and `sharing=`).
 */
import { argError, type ErrorSite } from './instruction-error.js';

export interface OneOfInput<T extends string> {
  /** The value as written (for the message). */
  readonly value: string;
  /** What is compared with `allowed` (e.g. the value lowercased); `value` by default. */
  readonly candidate?: string;
  readonly allowed: readonly T[];
  /** What the value is, e.g. `network mode`. */
  readonly what: string;
}

/** The allowed value `input` names; throws E_DOCKERFILE_INSTRUCTION listing the valid ones otherwise. */
export function oneOf<T extends string>(input: OneOfInput<T>, site: ErrorSite): T {
  const candidate = input.candidate ?? input.value;
  const found = input.allowed.find((a) => a === candidate);
  if (found === undefined) {
    throw argError(
      site,
      `unsupported ${input.what} ${JSON.stringify(input.value)} (valid: ${input.allowed.join(', ')})`,
    );
  }
  return found;
}
