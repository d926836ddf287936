import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../src/progress/events.js';
import { createPlainRenderer, type PlainRendererOptions } from '../../src/progress/plain.js';
import { loadRecording, MemoryStream, recordedDockerfile } from './recording.js';

const sources = (file: string): string | undefined =>
  file === 'Dockerfile' ? recordedDockerfile() : undefined;

function renderPlain(events: readonly ProgressEvent[], options: Partial<PlainRendererOptions> = {}): string {
  const stream = new MemoryStream();
  const renderer = createPlainRenderer({ stream, sources, ...options });
  for (const event of events) renderer.onEvent(event);
  renderer.close();
  return stream.text;
}

const SUCCESS = [
  '#1 [internal] load build definition from Dockerfile',
  '#1 transferring dockerfile 140B 0.0s done',
  '#1 DONE 0.0s',
  '',
  '#2 [internal] load metadata for docker.io/library/alpine:3.20',
  '',
  '#3 [internal] load .dockerignore',
  '#3 DONE 0.0s',
  '',
  '#2 DONE 0.5s',
  '',
  '#4 [build 1/4] FROM docker.io/library/alpine:3.20',
  '#4 CACHED',
  '',
  '#5 [internal] load build context',
  '#5 transferring context 2.05kB / 4.1kB 0.0s',
  '#5 transferring context 4.1kB / 4.1kB 0.1s done',
  '#5 DONE 0.1s',
  '',
  '#6 [build 2/4] RUN apk add --no-cache build-base',
  '#6 0.180 fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz',
  '#6 0.530 fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/community/x86_64/APKINDEX.tar.gz',
  '#6 0.880 (1/3) Installing libgcc (13.2.1_git20240309-r0)',
  '#6 1.230 (2/3) Installing gcc (13.2.1_git20240309-r0)',
  '#6 1.580 (3/3) Installing make (4.4.1-r2)',
  '#6 1.930 Executing busybox-1.36.1-r29.trigger',
  '#6 2.280 OK: 210 MiB in 38 packages',
  '#6 DONE 2.7s',
  '',
  '#7 [build 3/4] COPY . /src',
  '#7 DONE 0.1s',
  '',
  '#8 [build 4/4] RUN make -C /src',
  "#8 0.130 make: Entering directory '/src'",
  '#8 0.330 cc -O2 -o app main.c',
  "#8 0.830 make: Leaving directory '/src'",
  '#8 DONE 0.9s',
  '',
  '#9 exporting to image',
  '#9 exporting layers 3 / 3 0.0s done',
  '#9 writing image sha256:5d3c0f2b2e8a1f6a9c7e4b1d0a3f6e9c2b5a8d1e4f7a0b3c6d9e2f5a8b1c4d7e 1 / 1 0.0s done',
  '#9 DONE 0.2s',
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
];

const FAILURE_TAIL = [
  '#8 [build 4/4] RUN make -C /src',
  "#8 0.130 make: Entering directory '/src'",
  '#8 0.330 cc -O2 -o app main.c',
  "#8 0.430 main.c:3:1: error: expected ';' before '}' token",
  '#8 0.480 make: *** [Makefile:2: app] Error 1',
  '#8 ERROR: process "/bin/sh -c make -C /src" did not complete successfully: exit code: 2',
  '',
  '1 warning found:',
  'warning: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals [JSONArgsRecommended]',
  ' --> Dockerfile:6:1',
  '  |',
  '6 | CMD /src/app',
  '  | ^^^^^^^^^^^^',
  '',
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
];

test('plain: a recorded successful build renders exactly like BuildKit-style plain output', () => {
  assert.equal(renderPlain(loadRecording('build-success')), `${SUCCESS.join('\n')}\n`);
});

test('plain: a failed RUN shows the error, its last output lines, the Dockerfile line with a caret', () => {
  const text = renderPlain(loadRecording('build-failure'));
  assert.ok(text.endsWith(`${FAILURE_TAIL.join('\n')}\n`), text);
  // The build error repeats the step's error: it is shown once, not twice.
  assert.equal(text.split('[E_RUN_FAILED]').length - 1, 1);
});

const T = 1_000;
const start = (id: string, name: string, time = T): ProgressEvent => ({
  kind: 'vertex-start',
  time,
  id,
  name,
});
const log = (id: string, line: string, time: number): ProgressEvent => ({
  kind: 'vertex-log',
  time,
  id,
  stream: 'stdout',
  line,
});

test('plain: interleaved steps get a blank line at each switch and keep their numbers', () => {
  const text = renderPlain([
    start('a', '[1/2] RUN one'),
    start('b', '[2/2] RUN two'),
    log('a', 'from a', T + 100),
    log('a', 'again a', T + 200),
    log('b', 'from b', T + 250),
    { kind: 'vertex-done', time: T + 300, id: 'a', durationMs: 300 },
    { kind: 'vertex-done', time: T + 1300, id: 'b', durationMs: 1300 },
  ]);
  assert.equal(
    text,
    [
      '#1 [1/2] RUN one',
      '',
      '#2 [2/2] RUN two',
      '',
      '#1 0.100 from a',
      '#1 0.200 again a',
      '',
      '#2 0.250 from b',
      '',
      '#1 DONE 0.3s',
      '',
      '#2 DONE 1.3s',
      '',
    ].join('\n'),
  );
});

test('plain: the mask applies to log lines, step names and error messages', () => {
  const mask = (line: string) => line.replaceAll('hunter2', '****');
  const text = renderPlain(
    [
      start('s', '[1/1] RUN echo hunter2'),
      log('s', 'token=hunter2', T + 1),
      {
        kind: 'vertex-error',
        time: T + 2,
        id: 's',
        error: { code: 'E_RUN_FAILED', message: 'process "echo hunter2" failed' },
        exitCode: 1,
      },
      {
        kind: 'build-error',
        time: T + 3,
        error: { code: 'E_RUN_FAILED', message: 'process "echo hunter2" failed' },
        durationMs: 3,
      },
    ],
    { mask },
  );
  assert.ok(!text.includes('hunter2'), text);
  assert.ok(text.includes('#1 [1/1] RUN echo ****'));
  assert.ok(text.includes('#1 0.001 token=****'));
  assert.ok(text.includes('error: process "echo ****" failed [E_RUN_FAILED]'));
});

test('plain: an unfinished counter is printed at most once a second, its last update always', () => {
  const progress = (time: number, current: number, done = false): ProgressEvent => ({
    kind: 'vertex-progress',
    time,
    id: 'p',
    item: 'sha256:abc',
    current,
    total: 3_000_000,
    unit: 'bytes',
    ...(done ? { done } : {}),
  });
  const text = renderPlain([
    start('p', 'pulling'),
    progress(T, 0),
    progress(T + 500, 1_000_000),
    progress(T + 1000, 2_000_000),
    progress(T + 1200, 3_000_000, true),
  ]);
  assert.equal(
    text,
    [
      '#1 pulling',
      '#1 sha256:abc 0B / 3MB 0.0s',
      '#1 sha256:abc 2MB / 3MB 1.0s',
      '#1 sha256:abc 3MB / 3MB 1.2s done',
      '',
    ].join('\n'),
  );
});

test('plain: output of a step never started is still shown under its own number', () => {
  const text = renderPlain([
    log('x', 'early', T),
    { kind: 'vertex-done', time: T + 10, id: 'x', durationMs: 10 },
  ]);
  assert.equal(text, '#1 0.000 early\n#1 DONE 0.0s\n');
});

test('plain: close() without a build-error still reports failed steps, keeping only the last lines', () => {
  const events: ProgressEvent[] = [start('f', '[1/1] RUN loop')];
  for (let i = 1; i <= 15; i += 1) events.push(log('f', `line ${i}`, T + i));
  events.push({
    kind: 'vertex-error',
    time: T + 20,
    id: 'f',
    error: { code: 'E_RUN_FAILED', message: 'exit code: 3' },
    exitCode: 3,
  });
  const text = renderPlain(events, { errorLogLines: 4 });
  const block = text.slice(text.indexOf('------'));
  assert.equal(
    block,
    [
      '------',
      ' > [1/1] RUN loop:',
      '[11 earlier lines not shown]',
      '0.012 line 12',
      '0.013 line 13',
      '0.014 line 14',
      '0.015 line 15',
      '------',
      'error: exit code: 3 [E_RUN_FAILED]',
      '  = exit code: 3',
      '',
    ].join('\n'),
  );
});

test('plain: a build error without a failed step is rendered with its location', () => {
  const text = renderPlain([
    { kind: 'build-start', time: T },
    {
      kind: 'build-error',
      time: T + 5,
      error: { code: 'E_STAGE', message: 'stage "nope" not found', hint: 'check --target' },
      location: { file: 'Dockerfile', range: { start: { line: 2, column: 1 }, end: { line: 2, column: 5 } } },
      durationMs: 5,
    },
  ]);
  assert.equal(
    text,
    [
      'error: stage "nope" not found [E_STAGE]',
      ' --> Dockerfile:2:1',
      '  |',
      '2 | FROM alpine:3.20 AS build',
      '  | ^^^^',
      '  hint: check --target',
      '',
      'build failed in 0.0s: 0 steps, 0 cached',
      '',
    ].join('\n'),
  );
});
