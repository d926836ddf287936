/**
 * Applying a secret masker to every piece of free text an event carries, before any renderer sees it.
 * (Step names and error messages can contain secrets as well as log lines: `RUN echo $TOKEN` fails with
 * the expanded command in its message.)
 */
import { assertNever } from '../errors.js';
import type { ProgressDiagnostic, ProgressError, ProgressEvent } from './events.js';

/** Replaces secret values in one line of text (e.g. with `****`). Must not add or remove lines. */
export type LineMasker = (line: string) => string;

/** The event with `mask` applied to its log line, name, progress item, error and diagnostic texts. */
export function maskEvent(event: ProgressEvent, mask: LineMasker): ProgressEvent {
  switch (event.kind) {
    case 'build-start':
    case 'vertex-cached':
    case 'vertex-done':
    case 'build-done':
      return event;
    case 'vertex-start':
      return { ...event, name: mask(event.name) };
    case 'vertex-log':
      return { ...event, line: mask(event.line) };
    case 'vertex-progress':
      return { ...event, item: mask(event.item) };
    case 'vertex-error':
    case 'build-error':
      return { ...event, error: maskError(event.error, mask) };
    case 'warning':
      return { ...event, diagnostic: maskDiagnostic(event.diagnostic, mask) };
    default:
      return assertNever(event, 'progress event');
  }
}

function maskText(text: string, mask: LineMasker): string {
  return text.split('\n').map(mask).join('\n');
}

function maskError(error: ProgressError, mask: LineMasker): ProgressError {
  const masked = { ...error, message: maskText(error.message, mask) };
  return error.hint === undefined ? masked : { ...masked, hint: maskText(error.hint, mask) };
}

function maskDiagnostic(diagnostic: ProgressDiagnostic, mask: LineMasker): ProgressDiagnostic {
  return {
    ...diagnostic,
    message: maskText(diagnostic.message, mask),
    ...(diagnostic.detail === undefined ? {} : { detail: maskText(diagnostic.detail, mask) }),
    ...(diagnostic.hint === undefined ? {} : { hint: maskText(diagnostic.hint, mask) }),
  };
}
