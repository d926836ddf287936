/**
 * `--progress=tty`: a live view redrawn in place with ANSI cursor movement, at most ~10 frames a second.
 * After the build ends the last frame stays on screen, followed by warnings, failures and the result
 * (the same text plain output ends with).
 */
import type { Writable } from 'node:stream';
import { BuildState } from './build-state.js';
import type { Clock, ProgressEvent } from './events.js';
import { maskEvent } from './mask.js';
import { type CommonRendererOptions, DEFAULT_ERROR_LOG_LINES, type ProgressRenderer } from './renderer.js';
import { renderSummary } from './summary.js';
import { ansi } from './terminal-text.js';
import { renderFrame } from './tty-frame.js';

/** Timers, injected so tests can run frames by hand. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A number, or a function read at every frame (so a resized terminal is picked up). */
export type Dimension = number | (() => number | undefined);

export interface TtyRendererOptions extends CommonRendererOptions {
  readonly stream: Writable;
  readonly clock: Clock;
  /** Terminal width (default 80). */
  readonly columns?: Dimension;
  /** Terminal height; unbounded when not given. */
  readonly rows?: Dimension;
  /** Output lines shown under each running step (default 6). */
  readonly logLines?: number;
  /** Minimum time between frames (default 100 ms). */
  readonly frameIntervalMs?: number;
  /** Timers (default: the global ones, unref'd so they never keep the process alive). */
  readonly scheduler?: Scheduler;
  /** Colour finished (blue), failed (red) and output (dim) lines (default true). */
  readonly color?: boolean;
}

/** Default output lines shown per running step. */
export const DEFAULT_TTY_LOG_LINES = 6;

/** Creates the live renderer. */
export function createTtyRenderer(options: TtyRendererOptions): ProgressRenderer {
  const { stream, clock, mask } = options;
  const logLines = options.logLines ?? DEFAULT_TTY_LOG_LINES;
  const errorLogLines = options.errorLogLines ?? DEFAULT_ERROR_LOG_LINES;
  const interval = options.frameIntervalMs ?? 100;
  const scheduler = options.scheduler ?? globalScheduler();
  const state = new BuildState({ logLines: Math.max(logLines, errorLogLines) });
  let previousHeight = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let timer: { readonly handle: unknown } | undefined;
  let ended = false;

  const draw = (final: boolean): void => {
    const now = clock.now();
    lastDraw = now;
    const rows = read(options.rows);
    const lines = renderFrame(state, {
      now,
      columns: read(options.columns) ?? 80,
      ...(rows === undefined ? {} : { rows }),
      logLines,
      final,
      color: options.color ?? true,
    });
    let out = previousHeight > 0 ? `${ansi.up(previousHeight)}\r` : '';
    for (const line of lines) out += `${ansi.eraseLine}${line}\n`;
    out += ansi.eraseDown;
    previousHeight = lines.length;
    stream.write(out);
  };
  const tick = (): void => {
    timer = undefined;
    if (ended) return;
    draw(false);
    // Keep the running steps' timers moving; an idle view waits for the next event.
    const { total, finished } = state.counts();
    if (finished < total) schedule();
  };
  /** Arranges the next frame: at once when the last one is old enough, else when it will be. */
  const schedule = (): void => {
    if (timer !== undefined || ended) return;
    const wait = Math.max(0, lastDraw + interval - clock.now());
    timer = { handle: scheduler.setTimeout(tick, wait) };
  };
  const finish = (): void => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) scheduler.clearTimeout(timer.handle);
    timer = undefined;
    draw(true);
    const summary = renderSummary(state, { errorLogLines, verbose: true, sources: options.sources });
    if (summary !== '') stream.write(`\n${summary}`);
  };

  return {
    onEvent(raw: ProgressEvent): void {
      if (ended) return;
      state.apply(mask === undefined ? raw : maskEvent(raw, mask));
      if (raw.kind === 'build-done' || raw.kind === 'build-error') finish();
      else schedule();
    },
    close: finish,
  };
}

function read(dimension: Dimension | undefined): number | undefined {
  const value = typeof dimension === 'function' ? dimension() : dimension;
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
}

function globalScheduler(): Scheduler {
  return {
    setTimeout(callback, ms) {
      const handle = setTimeout(callback, ms);
      handle.unref();
      return handle;
    },
    clearTimeout(handle) {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}
