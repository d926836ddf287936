/**
 * How a failure reads: the step's last output lines, then the error with the Dockerfile line and a caret.
 *
 *   ------
 *    > [build 3/5] RUN make:
 *   0.101 cc -o app main.c
 *   0.340 main.c:1:1: error: expected ';'
 *   ------
 *   error: process "/bin/sh -c make" did not complete successfully: exit code: 2 [E_RUN_FAILED]
 *    --> Dockerfile:7:1
 *     |
 *   7 | RUN make
 *     | ^^^^^^^^
 *     = exit code: 2
 */

import { type RenderableDiagnostic, renderDiagnostic } from '../diagnostics/render.js';
import type { SourceLocation } from '../errors.js';
import type { VertexState } from './build-state.js';
import type { ProgressDiagnostic, ProgressError } from './events.js';
import { formatOffset } from './format.js';

/** Finds the text of a source file named in a location (the Dockerfile), for caret rendering. */
export type SourceLookup = (file: string) => string | undefined;

export interface FailureOptions {
  readonly sources?: SourceLookup;
  /** Output lines of the failed step shown at most. */
  readonly logLines: number;
}

/** The failure block of one failed vertex (see the module comment). */
export function renderVertexFailure(vertex: VertexState, options: FailureOptions): string {
  const lines = ['------', ` > ${vertex.name}:`];
  const shown = vertex.logs.toArray(options.logLines);
  const hidden = vertex.logs.size - shown.length + vertex.logs.dropped;
  if (hidden > 0) lines.push(`[${hidden} earlier line${hidden === 1 ? '' : 's'} not shown]`);
  for (const log of shown) lines.push(`${formatOffset(log.time - vertex.startTime)} ${log.line}`);
  lines.push('------');
  const error = vertex.error ?? { code: 'E_INTERNAL', message: 'step failed' };
  const detail = vertex.exitCode === undefined ? undefined : `exit code: ${vertex.exitCode}`;
  return `${lines.join('\n')}\n${renderError(error, { location: vertex.location, detail, sources: options.sources })}`;
}

interface ErrorContext {
  readonly location: SourceLocation | undefined;
  readonly detail?: string | undefined;
  readonly sources: SourceLookup | undefined;
}

/** An error rendered with `renderDiagnostic`, with the source line and caret when the source is known. */
export function renderError(error: ProgressError, context: ErrorContext): string {
  return renderWithSource(
    {
      severity: 'error',
      code: error.code,
      message: error.message,
      ...(context.detail === undefined ? {} : { detail: context.detail }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    },
    context.location,
    context.sources,
  );
}

/** A warning (or other diagnostic) rendered with its source line when known. */
export function renderProgressDiagnostic(
  diagnostic: ProgressDiagnostic,
  sources: SourceLookup | undefined,
): string {
  const { location, ...rest } = diagnostic;
  return renderWithSource(rest, location, sources);
}

function renderWithSource(
  diagnostic: RenderableDiagnostic,
  location: SourceLocation | undefined,
  sources: SourceLookup | undefined,
): string {
  if (location === undefined) return renderDiagnostic(diagnostic);
  const source = sources?.(location.file);
  return renderDiagnostic(
    { ...diagnostic, file: location.file, range: location.range },
    source === undefined ? {} : { source },
  );
}
