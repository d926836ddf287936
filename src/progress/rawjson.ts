/**
 * `--progress=rawjson`: one JSON object per event per line (JSON Lines), for tools.
 *
 * Each line is a {@link ProgressEvent} exactly as documented in events.ts, with `kind` and `time` first.
 * Field names are stable; new optional fields may appear, so readers should ignore unknown ones.
 * Example:
 *
 *   {"kind":"vertex-start","time":1700000000000,"id":"v3","name":"[build 2/3] RUN make","stage":"build"}
 *   {"kind":"vertex-log","time":1700000000120,"id":"v3","stream":"stdout","line":"cc -o app main.c"}
 *   {"kind":"vertex-done","time":1700000001200,"id":"v3","durationMs":1200}
 *
 * The mask applies here too: a secret never reaches the JSON output.
 */
import type { Writable } from 'node:stream';
import type { ProgressEvent } from './events.js';
import { maskEvent } from './mask.js';
import type { CommonRendererOptions, ProgressRenderer } from './renderer.js';

export interface RawJsonRendererOptions extends Pick<CommonRendererOptions, 'mask'> {
  readonly stream: Writable;
}

/** One event as its JSON line (with the trailing newline). */
export function encodeProgressEvent(event: ProgressEvent): string {
  const { kind, time, ...rest } = event;
  return `${JSON.stringify({ kind, time, ...rest })}\n`;
}

/** Creates the rawjson renderer. */
export function createRawJsonRenderer(options: RawJsonRendererOptions): ProgressRenderer {
  const { stream, mask } = options;
  return {
    onEvent(event: ProgressEvent): void {
      stream.write(encodeProgressEvent(mask === undefined ? event : maskEvent(event, mask)));
    },
    close(): void {},
  };
}
