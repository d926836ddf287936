/**
 * Choosing a renderer by mode name (`--progress=auto|tty|plain|rawjson|quiet`, as `docker build`).
 */
import type { Writable } from 'node:stream';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import type { Clock } from './events.js';
import { createPlainRenderer } from './plain.js';
import { createQuietRenderer } from './quiet.js';
import { createRawJsonRenderer } from './rawjson.js';
import type { CommonRendererOptions, ProgressRenderer } from './renderer.js';
import { createTtyRenderer, type Dimension, type Scheduler } from './tty.js';

export const PROGRESS_MODES = ['auto', 'tty', 'plain', 'rawjson', 'quiet'] as const;

export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** Validates a `--progress` value. */
export function parseProgressMode(value: string): ProgressMode {
  const mode = PROGRESS_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new KilnError(ErrorCode.Usage, `invalid progress mode ${JSON.stringify(value)}`, {
      hint: `use one of: ${PROGRESS_MODES.join(', ')}`,
    });
  }
  return mode;
}

export interface CreateRendererOptions extends CommonRendererOptions {
  readonly mode: ProgressMode;
  /** Where progress goes (the CLI passes stderr). */
  readonly stream: Writable;
  /** For `auto`: whether `stream` is a terminal (default: the stream's own `isTTY`). */
  readonly isTTY?: boolean;
  readonly clock: Clock;
  readonly columns?: Dimension;
  readonly rows?: Dimension;
  readonly scheduler?: Scheduler;
  readonly color?: boolean;
}

/** The renderer for a mode; `auto` is `tty` on a terminal and `plain` otherwise. */
export function createProgressRenderer(options: CreateRendererOptions): ProgressRenderer {
  const common: CommonRendererOptions = {
    ...(options.mask === undefined ? {} : { mask: options.mask }),
    ...(options.sources === undefined ? {} : { sources: options.sources }),
    ...(options.errorLogLines === undefined ? {} : { errorLogLines: options.errorLogLines }),
  };
  const mode = options.mode;
  switch (mode) {
    case 'auto': {
      const isTTY = options.isTTY ?? (options.stream as { isTTY?: boolean }).isTTY === true;
      return createProgressRenderer({ ...options, mode: isTTY ? 'tty' : 'plain' });
    }
    case 'tty':
      return createTtyRenderer({
        ...common,
        stream: options.stream,
        clock: options.clock,
        ...(options.columns === undefined ? {} : { columns: options.columns }),
        ...(options.rows === undefined ? {} : { rows: options.rows }),
        ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
        ...(options.color === undefined ? {} : { color: options.color }),
      });
    case 'plain':
      return createPlainRenderer({ ...common, stream: options.stream });
    case 'rawjson':
      return createRawJsonRenderer({ ...common, stream: options.stream });
    case 'quiet':
      return createQuietRenderer({ ...common, stream: options.stream });
    default:
      return assertNever(mode, 'progress mode');
  }
}
