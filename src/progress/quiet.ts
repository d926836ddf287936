/**
 * `--progress=quiet`: nothing but failures (the CLI prints the image id itself on success).
 */
import type { Writable } from 'node:stream';
import { BuildState } from './build-state.js';
import type { ProgressEvent } from './events.js';
import { maskEvent } from './mask.js';
import { type CommonRendererOptions, DEFAULT_ERROR_LOG_LINES, type ProgressRenderer } from './renderer.js';
import { renderFailures } from './summary.js';

export interface QuietRendererOptions extends CommonRendererOptions {
  readonly stream: Writable;
}

/** Creates the quiet renderer: failures (with the failing step's last output lines) and nothing else. */
export function createQuietRenderer(options: QuietRendererOptions): ProgressRenderer {
  const { stream, mask } = options;
  const errorLogLines = options.errorLogLines ?? DEFAULT_ERROR_LOG_LINES;
  const state = new BuildState({ logLines: errorLogLines });
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    const text = renderFailures(state, { errorLogLines, verbose: false, sources: options.sources });
    if (text !== '') stream.write(text);
  };
  return {
    onEvent(raw: ProgressEvent): void {
      state.apply(mask === undefined ? raw : maskEvent(raw, mask));
      if (raw.kind === 'build-done' || raw.kind === 'build-error') end();
    },
    close: end,
  };
}
