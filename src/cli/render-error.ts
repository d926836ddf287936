import { isKilnError } from '../errors.js';

export interface RenderErrorOptions {
  /** Include stack traces (KILN_DEBUG=1). */
  readonly verbose: boolean;
}

/**
 * Renders any error for a terminal. Kiln errors show code, location and hint; anything else is a bug
 * and says so (with the stack only in verbose mode).
 */
export function renderError(error: unknown, options: RenderErrorOptions): string {
  if (isKilnError(error)) {
    const where = error.location
      ? `${error.location.file}:${error.location.range.start.line}:${error.location.range.start.column}: `
      : '';
    let text = `error: ${where}${error.message} [${error.code}]\n`;
    if (error.hint) text += `  hint: ${error.hint}\n`;
    if (options.verbose && error.stack) text += `${error.stack}\n`;
    return text;
  }
  const message = error instanceof Error ? error.message : String(error);
  let text = `error: internal error: ${message} [E_INTERNAL]\n  (this is a bug in kiln; run with KILN_DEBUG=1 for details)\n`;
  if (options.verbose && error instanceof Error && error.stack) text += `${error.stack}\n`;
  return text;
}
