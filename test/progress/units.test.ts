import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BuildState } from '../../src/progress/build-state.js';
import { formatBytes, formatCounter, formatOffset, formatSeconds } from '../../src/progress/format.js';
import { RingBuffer } from '../../src/progress/ring-buffer.js';
import { clipToWidth, displayWidth, sanitizeLine, stripAnsi } from '../../src/progress/terminal-text.js';

test('ring buffer: keeps the newest items in order and counts the dropped ones', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 8 }),
      fc.array(fc.integer(), { maxLength: 30 }),
      (capacity, items) => {
        const ring = new RingBuffer<number>(capacity);
        for (const item of items) ring.push(item);
        const kept = items.slice(Math.max(0, items.length - capacity));
        assert.deepEqual(ring.toArray(), kept);
        assert.equal(ring.dropped, items.length - kept.length);
        assert.deepEqual(ring.toArray(2), kept.slice(-2));
      },
    ),
  );
  assert.throws(() => new RingBuffer(-1), RangeError);
});

test('format: seconds, offsets, bytes and counters', () => {
  assert.equal(formatSeconds(1234), '1.2s');
  assert.equal(formatSeconds(-5), '0.0s');
  assert.equal(formatOffset(123), '0.123');
  assert.equal(formatBytes(0), '0B');
  assert.equal(formatBytes(999), '999B');
  assert.equal(formatBytes(1000), '1kB');
  assert.equal(formatBytes(3_412_345), '3.41MB');
  assert.equal(formatBytes(2.5e12), '2.5TB');
  assert.equal(formatCounter('bytes', 1_200_000, 3_400_000), '1.2MB / 3.4MB');
  assert.equal(formatCounter('files', 3, 10), '3 / 10 files');
  assert.equal(formatCounter('files', 3, undefined), '3 files');
  assert.equal(formatCounter('items', 2, undefined), '2');
});

test('terminal text: widths, clipping, sanitising', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(clipToWidth('abcdef', 6), 'abcdef');
  assert.equal(clipToWidth('abcdefg', 6), 'abcde…');
  assert.equal(clipToWidth('日本語です', 5), '日本…');
  assert.equal(stripAnsi('\u001b[31mred\u001b[0m \u001b]0;title\u0007x'), 'red x');
  assert.equal(sanitizeLine('a\u0000b\u007fc\u009bd'), 'abcd');
  assert.equal(sanitizeLine('ab\tc'), 'ab      c');
  assert.equal(sanitizeLine('10%\r20%\r'), '20%');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 50 }), (text, width) => {
      const clean = sanitizeLine(text);
      assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(clean));
      assert.ok(displayWidth(clipToWidth(clean, width)) <= width);
    }),
  );
});

test('build state: counts, implicit vertices, error durations, outcome', () => {
  const state = new BuildState({ logLines: 2 });
  state.apply({ kind: 'build-start', time: 10 });
  state.apply({ kind: 'vertex-start', time: 10, id: 'a', name: 'A', stage: 's' });
  state.apply({ kind: 'vertex-log', time: 11, id: 'b', stream: 'stdout', line: '1' });
  state.apply({ kind: 'vertex-cached', time: 12, id: 'a' });
  state.apply({ kind: 'vertex-error', time: 30, id: 'b', error: { code: 'E', message: 'm' }, exitCode: 4 });
  state.apply({ kind: 'build-error', time: 31, error: { code: 'E', message: 'm' }, durationMs: 21 });
  assert.deepEqual(state.counts(), { total: 2, finished: 2, cached: 1 });
  const b = state.vertex('b');
  assert.equal(b?.index, 2);
  assert.equal(b?.name, 'b');
  assert.equal(b?.durationMs, 19);
  assert.equal(b?.exitCode, 4);
  assert.deepEqual(
    state.failedVertices().map((v) => v.id),
    ['b'],
  );
  assert.equal(state.outcome?.kind, 'error');
  assert.equal(state.startTime, 10);
});
