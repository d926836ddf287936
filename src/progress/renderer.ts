/**
 * What every progress renderer offers. Renderers write to an explicit stream and keep their state per
 * instance; create one per build.
 */
import type { ProgressEvent } from './events.js';
import type { SourceLookup } from './failure.js';
import type { LineMasker } from './mask.js';

export interface ProgressRenderer {
  /** Feeds one event. Usable directly as a `ProgressListener`. */
  readonly onEvent: (event: ProgressEvent) => void;
  /** Ends rendering: draws what is pending (a final frame, unshown failures) and restores the terminal. */
  close(): void;
}

/** Options every renderer accepts. */
export interface CommonRendererOptions {
  /** Applied to every log line (and every other text from an event) before it is shown. */
  readonly mask?: LineMasker;
  /** The text of source files (the Dockerfile) by name, to show the failing line with a caret. */
  readonly sources?: SourceLookup;
  /** Output lines of a failed step shown in its failure report (default 10). */
  readonly errorLogLines?: number;
}

/** Default number of a failed step's output lines shown. */
export const DEFAULT_ERROR_LOG_LINES = 10;
