import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, KilnError } from '../../src/errors.js';
import { createProgressEmitter, systemClock, toProgressError } from '../../src/progress/emitter.js';
import type { ProgressEvent } from '../../src/progress/events.js';
import { ManualClock } from './recording.js';

test('emitter: stamps events with the injected clock and reaches every listener', () => {
  const clock = new ManualClock(42);
  const a: ProgressEvent[] = [];
  const b: ProgressEvent[] = [];
  const emit = createProgressEmitter({
    clock,
    listeners: [
      (e) => a.push(e),
      () => {
        throw new Error('broken listener');
      },
      (e) => b.push(e),
    ],
  });
  emit({ kind: 'vertex-start', id: 'v', name: 'x' });
  clock.time = 50;
  emit({ kind: 'vertex-done', id: 'v', durationMs: 8 });
  const expected = [
    { kind: 'vertex-start', id: 'v', name: 'x', time: 42 },
    { kind: 'vertex-done', id: 'v', durationMs: 8, time: 50 },
  ];
  assert.deepEqual(a, expected);
  assert.deepEqual(b, expected);
});

test('emitter: toProgressError keeps KilnError codes and hints, wraps the rest as E_INTERNAL', () => {
  assert.deepEqual(toProgressError(new KilnError(ErrorCode.RunFailed, 'exit 2', { hint: 'look up' })), {
    code: 'E_RUN_FAILED',
    message: 'exit 2',
    hint: 'look up',
  });
  assert.deepEqual(toProgressError(new Error('boom')), { code: 'E_INTERNAL', message: 'boom' });
  assert.deepEqual(toProgressError('text'), { code: 'E_INTERNAL', message: 'text' });
});

test('emitter: the system clock reads the wall clock', () => {
  const before = Date.now();
  const now = systemClock().now();
  assert.ok(now >= before && now <= Date.now());
});
