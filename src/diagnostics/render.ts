/**
 * Renders a diagnostic with the offending source line and a caret, like compilers do:
 *
 *   error: unknown instruction: RUNN [E_UNKNOWN_INSTRUCTION]
 *    --> Dockerfile:3:1
 *     |
 *   3 | RUNN echo hi
 *     | ^^^^
 */
import type { SourceRange } from '../errors.js';

/** Characters of a source line shown at most. */
const MAX_SHOWN = 160;

export type Severity = 'error' | 'warning';

export interface RenderableDiagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly file?: string;
  readonly range?: SourceRange;
}

export interface RenderOptions {
  /** The source text the range points into; without it only the location line is shown. */
  readonly source?: string;
}

export function renderDiagnostic(diagnostic: RenderableDiagnostic, options: RenderOptions = {}): string {
  const lines = [`${diagnostic.severity}: ${diagnostic.message} [${diagnostic.code}]`];
  const range = diagnostic.range;
  if (range) {
    const file = diagnostic.file ?? 'Dockerfile';
    lines.push(` --> ${file}:${range.start.line}:${range.start.column}`);
    const fullLine = options.source?.split(/\r?\n/)[range.start.line - 1];
    if (fullLine !== undefined) {
      // Very long lines (up to 64 KiB in a Dockerfile) are clipped so the caret stays readable.
      const sourceLine = fullLine.length > MAX_SHOWN ? `${fullLine.slice(0, MAX_SHOWN)}…` : fullLine;
      const gutter = String(range.start.line);
      const pad = ' '.repeat(gutter.length);
      const start = Math.min(Math.max(1, range.start.column), MAX_SHOWN);
      const lastColumn =
        range.end.line === range.start.line && range.end.column > start
          ? range.end.column
          : sourceLine.length + 1;
      const width = Math.max(1, Math.min(lastColumn, MAX_SHOWN + 1) - start);
      lines.push(`${pad} |`);
      lines.push(`${gutter} | ${sourceLine}`);
      lines.push(`${pad} | ${' '.repeat(start - 1)}${'^'.repeat(width)}`);
    }
  }
  if (diagnostic.detail) lines.push(`  = ${diagnostic.detail}`);
  if (diagnostic.hint) lines.push(`  hint: ${diagnostic.hint}`);
  return `${lines.join('\n')}\n`;
}
