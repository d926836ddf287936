import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../src/progress/events.js';
import { stripAnsi } from '../../src/progress/terminal-text.js';
import { createTtyRenderer, type TtyRendererOptions } from '../../src/progress/tty.js';
import {
  loadRecording,
  ManualClock,
  ManualScheduler,
  MemoryStream,
  recordedDockerfile,
} from './recording.js';
import { VirtualTerminal } from './virtual-terminal.js';

const T = 1_700_000_000_000;

interface Harness {
  readonly clock: ManualClock;
  readonly scheduler: ManualScheduler;
  readonly stream: MemoryStream;
  readonly renderer: ReturnType<typeof createTtyRenderer>;
  /** Feeds events at their own times (timers due before each one fire first). */
  feed(events: readonly ProgressEvent[]): void;
  /** The screen after everything written so far. */
  screen(): string[];
}

function harness(options: Partial<TtyRendererOptions> = {}): Harness {
  const clock = new ManualClock(T);
  const scheduler = new ManualScheduler(clock);
  const stream = new MemoryStream();
  const renderer = createTtyRenderer({
    stream,
    clock,
    scheduler,
    columns: 80,
    sources: () => recordedDockerfile(),
    ...options,
  });
  return {
    clock,
    scheduler,
    stream,
    renderer,
    feed(events) {
      for (const event of events) {
        scheduler.advanceTo(Math.max(clock.time, event.time));
        renderer.onEvent(event);
      }
    },
    screen() {
      const terminal = new VirtualTerminal();
      terminal.write(stream.text);
      assert.deepEqual(terminal.unknown, []);
      return terminal.screen();
    },
  };
}

const row = (left: string, right: string): string =>
  `${left}${' '.repeat(79 - left.length - right.length)}${right}`;

test('tty: the final screen of a successful build shows collapsed steps, warnings and the digest', () => {
  const h = harness();
  h.feed(loadRecording('build-success'));
  h.renderer.close();
  assert.deepEqual(h.screen(), [
    '[+] Building 4.6s (9/9) FINISHED',
    row(' => [internal] load build definition from Dockerfile', '0.0s'),
    row(' => [internal] load metadata for docker.io/library/alpine:3.20', '0.5s'),
    row(' => [internal] load .dockerignore', '0.0s'),
    row(' => CACHED [build 1/4] FROM docker.io/library/alpine:3.20', '0.0s'),
    row(' => [internal] load build context', '0.1s'),
    row(' => [build 2/4] RUN apk add --no-cache build-base', '2.7s'),
    row(' => [build 3/4] COPY . /src', '0.1s'),
    row(' => [build 4/4] RUN make -C /src', '0.9s'),
    row(' => exporting to image', '0.2s'),
    '',
    '1 warning found:',
    'warning: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals [JSONArgsRecommended]',
    ' --> Dockerfile:6:1',
    '  |',
    '6 | CMD /src/app',
    '  | ^^^^^^^^^^^^',
    '',
    'built in 4.6s: 9 steps, 1 cached',
    'image sha256:5d3c0f2b2e8a1f6a9c7e4b1d0a3f6e9c2b5a8d1e4f7a0b3c6d9e2f5a8b1c4d7e',
    'tagged example.com/app:1.0',
  ]);
});

test('tty: a running step shows its timer and only its last 6 output lines, redrawn in place', () => {
  const events = loadRecording('build-success');
  const okAt = events.findIndex((e) => e.kind === 'vertex-log' && e.line.startsWith('OK:'));
  const h = harness();
  h.feed(events.slice(0, okAt + 1));
  h.scheduler.advanceTo(T + 3150);
  const screen = h.screen();
  assert.deepEqual(screen.slice(0, 1), ['[+] Building 3.1s (5/6)']);
  assert.deepEqual(screen.slice(6), [
    row(' => [build 2/4] RUN apk add --no-cache build-base', '2.4s'),
    ' => => # fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/community/x86_64/AP…',
    ' => => # (1/3) Installing libgcc (13.2.1_git20240309-r0)',
    ' => => # (2/3) Installing gcc (13.2.1_git20240309-r0)',
    ' => => # (3/3) Installing make (4.4.1-r2)',
    ' => => # Executing busybox-1.36.1-r29.trigger',
    ' => => # OK: 210 MiB in 38 packages',
  ]);
  // Timers keep moving without events while a step runs.
  h.scheduler.advanceTo(T + 4150);
  assert.equal(h.screen()[0], '[+] Building 4.1s (5/6)');
  assert.equal(h.screen()[6], row(' => [build 2/4] RUN apk add --no-cache build-base', '3.4s'));
});

test('tty: a failed build ends with the ERROR step, its output and the Dockerfile line with a caret', () => {
  const h = harness();
  h.feed(loadRecording('build-failure'));
  const screen = h.screen();
  assert.equal(screen[0], '[+] Building 4.0s (8/8) FAILED');
  assert.equal(screen[8], row(' => ERROR [build 4/4] RUN make -C /src', '0.5s'));
  assert.deepEqual(screen.slice(screen.indexOf('------')), [
    '------',
    ' > [build 4/4] RUN make -C /src:',
    "0.130 make: Entering directory '/src'",
    '0.330 cc -O2 -o app main.c',
    "0.430 main.c:3:1: error: expected ';' before '}' token",
    '0.480 make: *** [Makefile:2: app] Error 1',
    '------',
    'error: process "/bin/sh -c make -C /src" did not complete successfully: exit code: 2 [E_RUN_FAILED]',
    ' --> Dockerfile:5:1',
    '  |',
    '5 | RUN make -C /src',
    '  | ^^^^^^^^^^^^^^^^',
    '  = exit code: 2',
    '',
    'build failed in 4.0s: 8 steps, 1 cached',
  ]);
});

test('tty: frames are throttled to one per interval however many events arrive', () => {
  const h = harness({ frameIntervalMs: 100 });
  const events: ProgressEvent[] = [{ kind: 'vertex-start', time: T, id: 'a', name: 'RUN spam' }];
  for (let i = 0; i < 500; i += 1)
    events.push({ kind: 'vertex-log', time: T, id: 'a', stream: 'stdout', line: `${i}` });
  h.feed(events);
  h.scheduler.advanceTo(T);
  assert.equal(h.stream.chunks.length, 1, 'one frame at the first instant');
  for (let i = 1; i <= 10; i += 1) {
    h.feed([{ kind: 'vertex-log', time: T + i * 10, id: 'a', stream: 'stdout', line: `late ${i}` }]);
  }
  h.scheduler.advanceTo(T + 100);
  assert.equal(h.stream.chunks.length, 2, 'a second frame only after 100 ms');
  // The frame due at T+100 was drawn before the event of T+100 arrived; the next frame shows it.
  assert.ok(h.screen().includes(' => => # late 9'));
  assert.ok(!h.screen().includes(' => => # late 10'));
  h.scheduler.advanceTo(T + 200);
  assert.equal(h.stream.chunks.length, 3);
  assert.ok(h.screen().includes(' => => # late 10'));
});

test('tty: lines never exceed the injected width; long names are clipped with an ellipsis', () => {
  const h = harness({ columns: 40 });
  h.feed([
    {
      kind: 'vertex-start',
      time: T,
      id: 'a',
      name: '[build 2/9] RUN apt-get update && apt-get install -y curl',
    },
    { kind: 'vertex-log', time: T + 5, id: 'a', stream: 'stdout', line: 'x'.repeat(200) },
    { kind: 'vertex-log', time: T + 6, id: 'a', stream: 'stdout', line: '漢字'.repeat(40) },
  ]);
  h.scheduler.advanceTo(T + 1000);
  const screen = h.screen();
  assert.equal(screen[1], ' => [build 2/9] RUN apt-get updat… 1.0s');
  for (const line of screen) assert.ok(line.length <= 39, line);
  // Wide characters count twice: 14 ideographs (28 columns) + the prefix fit in 39 columns.
  assert.equal(screen[3], ` => => # ${'漢字'.repeat(7)}…`);
});

test('tty: with a known height, finished steps scroll away first', () => {
  const h = harness({ rows: 6 });
  const events: ProgressEvent[] = [];
  for (let i = 1; i <= 6; i += 1) {
    events.push({ kind: 'vertex-start', time: T + i, id: `d${i}`, name: `done ${i}` });
    events.push({ kind: 'vertex-done', time: T + i, id: `d${i}`, durationMs: 0 });
  }
  events.push({ kind: 'vertex-start', time: T + 10, id: 'r', name: 'running' });
  events.push({ kind: 'vertex-log', time: T + 11, id: 'r', stream: 'stdout', line: 'working' });
  h.feed(events);
  h.scheduler.advanceTo(T + 501);
  const screen = h.screen().map((l) => l.replace(/ +\d+\.\ds$/, ''));
  assert.deepEqual(screen, [
    '[+] Building 0.5s (6/7)',
    ' => done 5',
    ' => done 6',
    ' => running',
    ' => => # working',
  ]);
});

test('tty: escape sequences and carriage returns in output cannot move the cursor', () => {
  const h = harness();
  h.feed([
    { kind: 'vertex-start', time: T, id: 'a', name: 'RUN evil' },
    { kind: 'vertex-log', time: T, id: 'a', stream: 'stdout', line: '\u001b[2J\u001b[10Aclear\u0007ed' },
    { kind: 'vertex-log', time: T, id: 'a', stream: 'stdout', line: ' 10%\r 50%\r100%\r\n' },
    { kind: 'vertex-log', time: T, id: 'a', stream: 'stderr', line: 'a\tb' },
  ]);
  h.scheduler.advanceTo(T + 100);
  assert.deepEqual(h.screen().slice(2), [' => => # cleared', ' => => # 100%', ' => => # a       b']);
});

test('tty: the mask hides secrets before lines are clipped', () => {
  const secret = 'S3CRET-VALUE-THAT-IS-LONG';
  const h = harness({ columns: 30, mask: (line) => line.replaceAll(secret, '****') });
  h.feed([
    { kind: 'vertex-start', time: T, id: 'a', name: `RUN echo ${secret}` },
    { kind: 'vertex-log', time: T, id: 'a', stream: 'stdout', line: `x ${secret}` },
  ]);
  h.renderer.close();
  assert.ok(!h.stream.text.includes('S3CRET'), h.stream.text);
});

test('tty: colour is used by default and can be turned off', () => {
  const events: ProgressEvent[] = [
    { kind: 'vertex-start', time: T, id: 'a', name: 'a' },
    { kind: 'vertex-done', time: T, id: 'a', durationMs: 1 },
  ];
  const coloured = harness();
  coloured.feed(events);
  coloured.renderer.close();
  assert.match(coloured.stream.text, /\u001b\[34m/);
  const plain = harness({ color: false });
  plain.feed(events);
  plain.renderer.close();
  assert.doesNotMatch(plain.stream.text, /\u001b\[\d+m/);
  assert.equal(stripAnsi(coloured.stream.text), stripAnsi(plain.stream.text));
});

test('tty: close() stops the timer and marks an unfinished build as stopped', () => {
  const h = harness();
  h.feed([{ kind: 'vertex-start', time: T, id: 'a', name: 'RUN sleep 100' }]);
  h.scheduler.advanceTo(T + 250);
  assert.equal(h.scheduler.pending, 1);
  h.renderer.close();
  assert.equal(h.scheduler.pending, 0);
  assert.equal(h.screen()[0], '[+] Building 0.3s (0/1) STOPPED');
  const written = h.stream.chunks.length;
  h.renderer.onEvent({ kind: 'vertex-done', time: T + 300, id: 'a', durationMs: 300 });
  assert.equal(h.stream.chunks.length, written, 'nothing is drawn after close');
});
