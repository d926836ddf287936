/**
 * `--progress=plain`: append-only text like BuildKit's plain output. Deterministic for a given event
 * sequence (all times come from the events), so tests compare it byte for byte.
 *
 *   #1 [internal] load build definition from Dockerfile
 *   #1 DONE 0.0s
 *
 *   #2 [build 2/3] RUN make
 *   #2 0.120 cc -o app main.c
 *   #2 DONE 1.2s
 *
 *   #3 [build 1/3] FROM docker.io/library/alpine:3.20
 *   #3 CACHED
 */
import type { Writable } from 'node:stream';
import { assertNever } from '../errors.js';
import { BuildState, type VertexState } from './build-state.js';
import type { ProgressEvent, VertexProgressEvent } from './events.js';
import { formatCounter, formatOffset, formatSeconds } from './format.js';
import { maskEvent } from './mask.js';
import { type CommonRendererOptions, DEFAULT_ERROR_LOG_LINES, type ProgressRenderer } from './renderer.js';
import { renderFailures, renderSummary } from './summary.js';

export interface PlainRendererOptions extends CommonRendererOptions {
  readonly stream: Writable;
  /** A counter that is not done is printed again only after this many ms (default 1000). */
  readonly progressIntervalMs?: number;
}

/** Creates the plain renderer. */
export function createPlainRenderer(options: PlainRendererOptions): ProgressRenderer {
  const { stream, mask } = options;
  const errorLogLines = options.errorLogLines ?? DEFAULT_ERROR_LOG_LINES;
  const interval = options.progressIntervalMs ?? 1000;
  const state = new BuildState({ logLines: errorLogLines });
  const lastCounterPrint = new Map<string, number>();
  let current: string | undefined;
  let printedAny = false;
  let ended = false;

  const write = (text: string): void => {
    if (text === '') return;
    stream.write(text);
    printedAny = true;
  };
  /** Starts a paragraph for `vertex` unless its lines are the last ones printed. */
  const focus = (vertex: VertexState): void => {
    if (current === vertex.id) return;
    if (printedAny) write('\n');
    current = vertex.id;
  };
  const line = (vertex: VertexState, text: string): void => {
    focus(vertex);
    write(`#${vertex.index} ${text}\n`);
  };
  const endBuild = (): void => {
    if (ended) return;
    ended = true;
    const summary = renderSummary(state, { errorLogLines, verbose: true, sources: options.sources });
    if (summary !== '') {
      if (printedAny) write('\n');
      write(summary);
    }
  };
  const counter = (vertex: VertexState, event: VertexProgressEvent): void => {
    const key = `${vertex.id}\u0000${event.item}`;
    const last = lastCounterPrint.get(key);
    if (event.done !== true && last !== undefined && event.time - last < interval) return;
    lastCounterPrint.set(key, event.time);
    const item = vertex.progress.get(event.item);
    const elapsed = formatSeconds(event.time - (item?.startTime ?? event.time));
    const done = event.done === true ? ' done' : '';
    line(vertex, `${event.item} ${formatCounter(event.unit, event.current, event.total)} ${elapsed}${done}`);
  };

  const onEvent = (raw: ProgressEvent): void => {
    const event = mask === undefined ? raw : maskEvent(raw, mask);
    const vertex = state.apply(event);
    switch (event.kind) {
      case 'build-start':
      case 'warning':
        return;
      case 'vertex-start':
        if (vertex) line(vertex, vertex.name);
        return;
      case 'vertex-log':
        if (vertex) line(vertex, `${formatOffset(event.time - vertex.startTime)} ${event.line}`);
        return;
      case 'vertex-progress':
        if (vertex) counter(vertex, event);
        return;
      case 'vertex-cached':
        if (vertex) line(vertex, 'CACHED');
        return;
      case 'vertex-done':
        if (vertex) line(vertex, `DONE ${formatSeconds(event.durationMs)}`);
        return;
      case 'vertex-error':
        if (vertex) line(vertex, `ERROR: ${event.error.message}`);
        return;
      case 'build-done':
      case 'build-error':
        endBuild();
        return;
      default:
        assertNever(event, 'progress event');
    }
  };

  return {
    onEvent,
    close(): void {
      if (ended) return;
      // The build stopped without a final event: still show what failed.
      ended = true;
      const failures = renderFailures(state, { errorLogLines, verbose: true, sources: options.sources });
      if (failures !== '') write(`${printedAny ? '\n' : ''}${failures}`);
    },
  };
}
