import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createQuietRenderer } from '../../src/progress/quiet.js';
import { loadRecording, MemoryStream, recordedDockerfile } from './recording.js';

function renderQuiet(name: 'build-success' | 'build-failure'): string {
  const stream = new MemoryStream();
  const renderer = createQuietRenderer({ stream, sources: () => recordedDockerfile() });
  for (const event of loadRecording(name)) renderer.onEvent(event);
  renderer.close();
  return stream.text;
}

test('quiet: a successful build prints nothing (not even warnings)', () => {
  assert.equal(renderQuiet('build-success'), '');
});

test('quiet: a failed build prints only the failure block', () => {
  assert.equal(
    renderQuiet('build-failure'),
    [
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
    ].join('\n'),
  );
});
