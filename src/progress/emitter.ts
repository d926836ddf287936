/**
 * Creating events: stamping them with a clock and fanning them out to listeners.
 */
import { ErrorCode, isKilnError } from '../errors.js';
import type { Clock, ProgressEmitter, ProgressError, ProgressEvent, ProgressListener } from './events.js';

/** The wall clock (`Date.now`). */
export function systemClock(): Clock {
  return { now: () => Date.now() };
}

export interface EmitterOptions {
  readonly clock: Clock;
  readonly listeners: readonly ProgressListener[];
}

/**
 * Returns a function that stamps an event with `clock.now()` and passes it to every listener in order.
 * A listener that throws does not stop the others or the build; its error is swallowed (progress is
 * best-effort output, never a reason to fail a build).
 */
export function createProgressEmitter(options: EmitterOptions): ProgressEmitter {
  const { clock, listeners } = options;
  return (unstamped) => {
    const event = { ...unstamped, time: clock.now() } as ProgressEvent;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not break the build.
      }
    }
  };
}

/** Converts anything thrown into the serialisable error an event carries. */
export function toProgressError(error: unknown): ProgressError {
  if (isKilnError(error)) {
    return error.hint === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, hint: error.hint };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message };
}
