import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MASK, maskingTransform, maskLines, SecretMasker } from '../../src/secrets/output-masker.js';

function feed(masker: SecretMasker, data: Buffer, cuts: readonly number[]): string {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push(masker.push(data.subarray(prev, p)));
    prev = p;
  }
  out.push(masker.flush());
  return Buffer.concat(out).toString('latin1');
}

// Filler uses only characters that occur in no form of a [a-z] secret (raw, hex, base64, json).
const filler = fc.string({ unit: fc.constantFrom(' ', '.', ',', '!', '?', ':', ';', '\n'), maxLength: 40 });
const secretText = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 4,
  maxLength: 300,
});

describe('SecretMasker', () => {
  it('replaces every occurrence, whatever the chunking, and leaves the rest byte for byte', () => {
    fc.assert(
      fc.property(
        secretText,
        fc.array(filler, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (secret, gaps, cuts) => {
          const input = gaps.join(secret);
          const expected = gaps.join(MASK);
          assert.equal(
            feed(new SecretMasker([Buffer.from(secret)]), Buffer.from(input, 'latin1'), cuts),
            expected,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('masks base64 and hex forms, and overlapping secrets without revealing either', () => {
    const masker = new SecretMasker([Buffer.from('password1'), Buffer.from('word1234')]);
    const out = feed(
      masker,
      Buffer.from(
        `a ${Buffer.from('password1').toString('base64')} b ${Buffer.from('password1').toString('hex')} c password1234 d`,
      ),
      [3, 9, 20, 33],
    );
    assert.ok(!out.includes('password1') && !out.includes('word1234'), out);
    assert.ok(!out.includes(Buffer.from('password1').toString('hex')), out);
    assert.match(out, /^a \*\*\*\*.* b \*\*\*\* c \*+ d$/);
  });

  it('passes output through unchanged when there is nothing to mask, releasing it at once', () => {
    const masker = new SecretMasker([Buffer.from('xyzzy-secret')]);
    assert.equal(masker.push(Buffer.from('hello\n')).toString(), 'hello\n');
    assert.equal(new SecretMasker([]).push(Buffer.from('abc')).toString(), 'abc');
  });

  it('maskingTransform masks a stream', async () => {
    const out = await text(
      Readable.from([Buffer.from('the tok'), Buffer.from('en is here')]).pipe(
        maskingTransform([Buffer.from('token')]),
      ),
    );
    assert.equal(out, `the ${MASK} is here`);
  });

  it('maskLines masks single- and multi-line secrets across line callbacks', () => {
    const lines: string[] = [];
    const key = '-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----';
    const m = maskLines([{ id: 'k', value: Buffer.from(key) }, Buffer.from('hunter22')], (l) =>
      lines.push(l),
    );
    m.line('start');
    m.line('pw=hunter22 ok');
    for (const l of `x ${key} y`.split('\n')) m.line(l);
    m.line('done');
    m.end();
    assert.deepEqual(lines, ['start', `pw=${MASK} ok`, `x ${MASK} y`, 'done']);
  });
});
