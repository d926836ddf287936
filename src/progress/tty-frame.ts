/**
 * One frame of the live view, as lines (pure: state + time + size in, text out). Modelled on BuildKit's
 * tty display:
 *
 *   [+] Building 3.2s (4/7)
 *    => [internal] load build definition from Dockerfile                  0.0s
 *    => CACHED [build 1/5] FROM docker.io/library/alpine:3.20               0.0s
 *    => [build 2/5] RUN make                                                1.2s
 *    => => # cc -o app main.c
 *    => => sha256:4abc… 1.2MB / 3.4MB                                       0.3s
 *
 * Finished steps take one line; running steps show their counters and last output lines.
 */
import { assertNever } from '../errors.js';
import type { BuildState, VertexState } from './build-state.js';
import { formatCounter, formatSeconds } from './format.js';
import { ansi, clipToWidth, displayWidth, sanitizeLine } from './terminal-text.js';

export interface FrameOptions {
  /** The current time (running timers are measured up to it). */
  readonly now: number;
  /** Terminal width; lines use at most `columns - 1` so that no terminal wraps them. */
  readonly columns: number;
  /** Terminal height, when known: finished steps scroll off the top to keep the frame within it. */
  readonly rows?: number;
  /** Output lines shown under each running step. */
  readonly logLines: number;
  /** True for the last frame after the build ended. */
  readonly final: boolean;
  readonly color: boolean;
}

type Tone = 'plain' | 'done' | 'error' | 'dim';

interface FrameLine {
  readonly left: string;
  readonly right: string;
  readonly tone: Tone;
  /** Lines of a finished step may be dropped when the frame is taller than the terminal. */
  readonly droppable: boolean;
}

/** The frame's lines, without trailing newlines. */
export function renderFrame(state: BuildState, options: FrameOptions): string[] {
  const lines: FrameLine[] = [];
  for (const vertex of state.vertices) lines.push(...vertexLines(vertex, options));
  const header = headerLine(state, options);
  const fitted = fitHeight(lines, options.rows);
  return [header, ...fitted].map((line) =>
    typeof line === 'string' ? clipToWidth(line, width(options)) : layout(line, options),
  );
}

function width(options: FrameOptions): number {
  return Math.max(10, options.columns - 1);
}

function headerLine(state: BuildState, options: FrameOptions): string {
  const start = state.startTime ?? options.now;
  const outcome = state.outcome;
  const elapsed = outcome === undefined ? options.now - start : outcome.durationMs;
  const { total, finished } = state.counts();
  let suffix = '';
  if (outcome?.kind === 'done') suffix = ' FINISHED';
  else if (outcome?.kind === 'error') suffix = ' FAILED';
  else if (options.final) suffix = ' STOPPED';
  return `[+] Building ${formatSeconds(elapsed)} (${finished}/${total})${suffix}`;
}

function vertexLines(vertex: VertexState, options: FrameOptions): FrameLine[] {
  const name = sanitizeLine(vertex.name.replace(/\r?\n/g, ' '));
  switch (vertex.status) {
    case 'cached':
      return [{ left: ` => CACHED ${name}`, right: formatSeconds(0), tone: 'done', droppable: true }];
    case 'done':
      return [
        { left: ` => ${name}`, right: formatSeconds(vertex.durationMs ?? 0), tone: 'done', droppable: true },
      ];
    case 'error':
      return [
        {
          left: ` => ERROR ${name}`,
          right: formatSeconds(vertex.durationMs ?? 0),
          tone: 'error',
          droppable: false,
        },
      ];
    case 'running': {
      const lines: FrameLine[] = [
        {
          left: ` => ${name}`,
          right: formatSeconds(options.now - vertex.startTime),
          tone: 'plain',
          droppable: false,
        },
      ];
      for (const item of vertex.progress.values()) {
        const counter = formatCounter(item.unit, item.current, item.total);
        const end = item.done ? item.time : options.now;
        lines.push({
          left: ` => => ${sanitizeLine(item.item)} ${counter}${item.done ? ' done' : ''}`,
          right: formatSeconds(end - item.startTime),
          tone: 'plain',
          droppable: false,
        });
      }
      if (!options.final) {
        for (const log of vertex.logs.toArray(options.logLines)) {
          lines.push({
            left: ` => => # ${sanitizeLine(log.line)}`,
            right: '',
            tone: 'dim',
            droppable: false,
          });
        }
      }
      return lines;
    }
    default:
      return assertNever(vertex.status, 'vertex status');
  }
}

/** Drops finished steps (oldest first), then the oldest lines, until the frame fits `rows - 1` lines. */
function fitHeight(lines: readonly FrameLine[], rows: number | undefined): FrameLine[] {
  if (rows === undefined) return [...lines];
  const budget = Math.max(1, rows - 2); // one line for the header, one for the cursor
  let kept = [...lines];
  let excess = kept.length - budget;
  if (excess > 0) {
    kept = kept.filter((line) => {
      if (excess > 0 && line.droppable) {
        excess -= 1;
        return false;
      }
      return true;
    });
  }
  return kept.length > budget ? kept.slice(kept.length - budget) : kept;
}

function layout(line: FrameLine, options: FrameOptions): string {
  const total = width(options);
  const right = line.right === '' ? '' : ` ${line.right}`;
  const left = clipToWidth(line.left, Math.max(1, total - displayWidth(right)));
  const pad = right === '' ? '' : ' '.repeat(Math.max(0, total - displayWidth(left) - displayWidth(right)));
  const text = `${left}${pad}${right}`;
  if (!options.color) return text;
  switch (line.tone) {
    case 'plain':
      return text;
    case 'done':
      return ansi.blue(text);
    case 'error':
      return ansi.red(text);
    case 'dim':
      return ansi.dim(text);
    default:
      return assertNever(line.tone, 'tone');
  }
}
