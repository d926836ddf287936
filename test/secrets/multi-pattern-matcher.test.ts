import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MultiPatternMatcher, type PatternMatch } from '../../src/secrets/multi-pattern-matcher.js';

function naive(patterns: readonly Uint8Array[], data: Uint8Array): string[] {
  const out: string[] = [];
  const buf = Buffer.from(data);
  patterns.forEach((p, i) => {
    for (let at = buf.indexOf(p); at >= 0; at = buf.indexOf(p, at + 1)) out.push(`${i}@${at}`);
  });
  return out.sort();
}

function splitAt(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(data.subarray(prev, p));
    prev = p;
  }
  parts.push(data.subarray(prev));
  return parts;
}

function streamed(m: MultiPatternMatcher, chunks: readonly Uint8Array[]): string[] {
  const found: PatternMatch[] = [];
  const s = m.stream((x) => found.push(x));
  for (const c of chunks) s.write(c);
  s.end();
  for (const f of found) assert.equal(f.end - f.start, m.patterns[f.pattern]!.length);
  return found.map((f) => `${f.pattern}@${f.start}`).sort();
}

// A small alphabet makes overlaps and near-misses frequent.
const smallBytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Uint8Array.from(a, (b) => 97 + (b % 3)));

describe('MultiPatternMatcher', () => {
  it('finds exactly what a naive search finds, under any chunking (short and anchored long patterns)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(smallBytes(1, 12), {
          minLength: 1,
          maxLength: 6,
          selector: (p) => Buffer.from(p).toString('latin1'),
        }),
        smallBytes(0, 300),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (patterns, data, cuts, anchorLength) => {
          const expected = naive(patterns, data);
          const m = new MultiPatternMatcher(patterns, { anchorLength });
          assert.deepEqual(streamed(m, splitAt(data, cuts)), expected);
          assert.deepEqual(streamed(m, [data]), expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('handles arbitrary bytes and one-byte chunks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 20 }),
        fc.uint8Array({ maxLength: 200 }),
        (p, noise) => {
          const data = Buffer.concat([noise, p, noise, p]);
          const m = new MultiPatternMatcher([p], { anchorLength: 5 });
          const oneByOne = [...data].map((b) => Uint8Array.of(b));
          assert.deepEqual(streamed(m, oneByOne), naive([p], data));
        },
      ),
    );
  });

  it('reports holdFrom at or before the start of any match still in progress', () => {
    const m = new MultiPatternMatcher([Buffer.from('secretvalue')], { anchorLength: 4 });
    const s = m.stream(() => undefined);
    s.write(Buffer.from('xxxsecr'));
    assert.equal(s.holdFrom, 3);
    s.write(Buffer.from('etva'));
    assert.equal(s.holdFrom, 3, 'pending long candidate keeps its start');
    s.write(Buffer.from('lue!'));
    assert.equal(s.holdFrom, s.position);
  });

  it('rejects empty patterns', () => {
    assert.throws(() => new MultiPatternMatcher([new Uint8Array(0)]), RangeError);
  });
});
