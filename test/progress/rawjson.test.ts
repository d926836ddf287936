import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { decodeProgressEvent } from '../../src/progress/decode.js';
import { createRawJsonRenderer, encodeProgressEvent } from '../../src/progress/rawjson.js';
import { fixturePath, loadRecording, MemoryStream } from './recording.js';

test('rawjson: one line per event, byte-identical to the recorded rawjson', () => {
  for (const name of ['build-success', 'build-failure'] as const) {
    const stream = new MemoryStream();
    const renderer = createRawJsonRenderer({ stream });
    for (const event of loadRecording(name)) renderer.onEvent(event);
    renderer.close();
    assert.equal(stream.text, readFileSync(fixturePath(`${name}.jsonl`), 'utf8'));
    assert.equal(stream.chunks.length, loadRecording(name).length);
  }
});

test('rawjson: kind and time always come first', () => {
  const line = encodeProgressEvent({ id: 'a', durationMs: 5, kind: 'vertex-done', time: 7 } as never);
  assert.equal(line, '{"kind":"vertex-done","time":7,"id":"a","durationMs":5}\n');
});

test('rawjson: the mask applies before serialisation', () => {
  const stream = new MemoryStream();
  const renderer = createRawJsonRenderer({ stream, mask: (l) => l.replaceAll('pw123', '****') });
  renderer.onEvent({ kind: 'vertex-log', time: 1, id: 'a', stream: 'stderr', line: 'login pw123' });
  renderer.onEvent({
    kind: 'vertex-error',
    time: 2,
    id: 'a',
    error: { code: 'E_RUN_FAILED', message: 'run "x pw123"', hint: 'pw123\nagain pw123' },
  });
  assert.ok(!stream.text.includes('pw123'), stream.text);
  assert.equal(decodeProgressEvent(stream.chunks[0] as string).kind, 'vertex-log');
});

test('decode: rejects malformed events with E_PROGRESS_EVENT', () => {
  const bad = [
    'not json',
    '[]',
    '{"kind":"nope","time":1}',
    '{"kind":"vertex-start","time":1,"id":"a"}',
    '{"kind":"vertex-log","time":1,"id":"a","stream":"stdin","line":"x"}',
    '{"kind":"vertex-done","time":"1","id":"a","durationMs":1}',
    '{"kind":"vertex-progress","time":1,"id":"a","item":"x","current":1,"unit":"parsecs"}',
    '{"kind":"build-done","time":1,"digest":"sha256:x","tags":[1],"durationMs":1}',
    '{"kind":"vertex-error","time":1,"id":"a","error":{"code":"E"}}',
    '{"kind":"vertex-start","time":1,"id":"a","name":"n","location":{"file":"D","range":{}}}',
  ];
  for (const line of bad) {
    assert.throws(
      () => decodeProgressEvent(line),
      (e: unknown) => isKilnError(e) && e.code === 'E_PROGRESS_EVENT',
      line,
    );
  }
});

test('decode: drops unknown fields and keeps optional ones', () => {
  const event = decodeProgressEvent(
    '{"kind":"vertex-start","time":1,"id":"a","name":"n","cached":true,"future":42,"stage":"build"}',
  );
  assert.deepEqual(event, {
    kind: 'vertex-start',
    time: 1,
    id: 'a',
    name: 'n',
    stage: 'build',
    cached: true,
  });
});
