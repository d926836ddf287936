/**
 * Replays a recorded build's events through a progress renderer in (scaled) real time, so people can see
 * the UI and the tmux test can capture what a terminal shows.
 *
 *   npx tsx test/progress/progress-demo.ts [--mode auto|tty|plain|rawjson|quiet]
 *                                          [--recording success|failure] [--speed N]
 *
 * Exits 0 after a successful recording, 1 after a failed one.
 */
import { parseArgs } from 'node:util';
import { createProgressRenderer, parseProgressMode } from '../../src/progress/create.js';
import type { Clock } from '../../src/progress/events.js';
import type { Scheduler } from '../../src/progress/tty.js';
import { loadRecording, recordedDockerfile } from './recording.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'auto' },
      recording: { type: 'string', default: 'success' },
      speed: { type: 'string', default: '1' },
    },
  });
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new Error(`--speed must be a positive number, not ${values.speed}`);
  const events = loadRecording(values.recording === 'failure' ? 'build-failure' : 'build-success');
  const recordStart = events[0]?.time ?? 0;
  const wallStart = Date.now();
  // Recorded time, advancing `speed` times faster than the wall clock.
  const clock: Clock = { now: () => recordStart + (Date.now() - wallStart) * speed };
  const scheduler: Scheduler = {
    setTimeout: (callback, ms) => setTimeout(callback, ms / speed),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const stdout = process.stdout;
  const renderer = createProgressRenderer({
    mode: parseProgressMode(values.mode),
    stream: stdout,
    clock,
    scheduler,
    columns: () => stdout.columns,
    rows: () => stdout.rows,
    sources: (file) => (file === 'Dockerfile' ? recordedDockerfile() : undefined),
  });
  let failed = false;
  for (const event of events) {
    const wait = event.time - clock.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait / speed));
    renderer.onEvent(event);
    if (event.kind === 'build-error') failed = true;
  }
  renderer.close();
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`progress-demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
