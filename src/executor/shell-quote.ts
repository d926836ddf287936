/** Quoting for POSIX sh: every value becomes one single-quoted word. */
import { ErrorCode, KilnError } from '../errors.js';
export function shellQuote(value: string): string {
  if (value.includes('\0'))
    throw new KilnError(ErrorCode.Executor, 'a NUL byte cannot be passed to a command');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
