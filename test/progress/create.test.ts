import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { createProgressRenderer, PROGRESS_MODES, parseProgressMode } from '../../src/progress/create.js';
import type { ProgressEvent } from '../../src/progress/events.js';
import { ManualClock, ManualScheduler, MemoryStream } from './recording.js';

const events: readonly ProgressEvent[] = [
  { kind: 'vertex-start', time: 0, id: 'a', name: '[1/1] RUN true' },
  { kind: 'vertex-done', time: 100, id: 'a', durationMs: 100 },
];

function run(mode: string, isTTY: boolean | undefined, streamIsTTY = false): string {
  const clock = new ManualClock(0);
  const stream = new MemoryStream();
  stream.isTTY = streamIsTTY;
  const renderer = createProgressRenderer({
    mode: parseProgressMode(mode),
    stream,
    clock,
    scheduler: new ManualScheduler(clock),
    ...(isTTY === undefined ? {} : { isTTY }),
  });
  for (const event of events) {
    clock.time = event.time;
    renderer.onEvent(event);
  }
  renderer.close();
  return stream.text;
}

test('create: auto is plain off a terminal and the live view on one', () => {
  assert.equal(run('auto', false), '#1 [1/1] RUN true\n#1 DONE 0.1s\n');
  assert.match(run('auto', true), /^\u001b\[2K\[\+\] Building/);
  // Without an explicit answer, the stream's own isTTY decides.
  assert.equal(run('auto', undefined, false), run('plain', undefined));
  assert.match(run('auto', undefined, true), /\[\+\] Building/);
});

test('create: every mode renders something sensible', () => {
  assert.equal(run('plain', undefined, true), '#1 [1/1] RUN true\n#1 DONE 0.1s\n');
  assert.match(run('tty', undefined), /\[\+\] Building 0\.1s \(1\/1\) STOPPED/);
  assert.equal(run('rawjson', undefined).split('\n').length, 3);
  assert.equal(run('quiet', undefined), '');
});

test('create: an unknown mode is a usage error that lists the modes', () => {
  assert.throws(
    () => parseProgressMode('fancy'),
    (e: unknown) =>
      isKilnError(e) && e.code === 'E_USAGE' && (e.hint ?? '').includes(PROGRESS_MODES.join(', ')),
  );
});
