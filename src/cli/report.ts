import { renderDiagnostic } from '../diagnostics/render.js';
import { isKilnError } from '../errors.js';
import type { CliContext } from './context.js';

export interface ReportOptions {
  /** Source text the error's location points into, for the caret rendering. */
  readonly source?: string;
}

/**
 * Runs `action`; a KilnError with a location is rendered with its source line and a caret and turns
 * into exit code 1. Other errors propagate (main renders them).
 */
export async function reportKilnError(
  ctx: CliContext,
  options: ReportOptions,
  action: () => void | Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isKilnError(error) || error.location === undefined) throw error;
    ctx.stderr.write(
      renderDiagnostic(
        {
          severity: 'error',
          code: error.code,
          message: error.message,
          file: error.location.file,
          range: error.location.range,
          ...(error.hint ? { hint: error.hint } : {}),
        },
        options.source === undefined ? {} : { source: options.source },
      ),
    );
    ctx.setExitCode(1);
  }
}
