import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base64Fragment, MIN_SECRET_BYTES, secretPatterns } from '../../src/secrets/secret-forms.js';

describe('secret forms', () => {
  it('a base64 fragment appears in the encoding of any stream containing the secret', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 10 }),
        fc.uint8Array({ minLength: MIN_SECRET_BYTES, maxLength: 40 }),
        fc.uint8Array({ maxLength: 10 }),
        (prefix, secret, suffix) => {
          const encoded = Buffer.concat([prefix, secret, suffix]).toString('base64');
          const fragment = base64Fragment(secret, (prefix.length % 3) as 0 | 1 | 2);
          assert.ok(fragment.length >= 4);
          assert.ok(encoded.includes(fragment), `${fragment} in ${encoded}`);
        },
      ),
    );
  });

  it('lists raw, json, base64 (std/url, 3 alignments), hex lower/upper, also for the trimmed value', () => {
    const patterns = secretPatterns([{ id: 's', value: Buffer.from('pa"ss<w>ord?\n') }]);
    const has = (form: string, text: string) =>
      assert.ok(
        patterns.some((p) => p.form === form && p.bytes.toString('latin1') === text),
        `${form} ${text}`,
      );
    has('raw', 'pa"ss<w>ord?\n');
    has('raw', 'pa"ss<w>ord?');
    has('json', 'pa\\"ss<w>ord?\\n');
    has('json', 'pa\\"ss\\u003cw\\u003eord?');
    has('base64', Buffer.from('pa"ss<w>ord?').toString('base64').replace(/=+$/, '').slice(0, 16));
    has('hex', Buffer.from('pa"ss<w>ord?').toString('hex'));
    has('hex-upper', Buffer.from('pa"ss<w>ord?').toString('hex').toUpperCase());
    assert.ok(patterns.some((p) => p.form === 'base64url'));
    // No duplicate byte sequences.
    assert.equal(new Set(patterns.map((p) => p.bytes.toString('latin1'))).size, patterns.length);
  });

  it(`ignores secrets shorter than ${MIN_SECRET_BYTES} bytes (also once trimmed)`, () => {
    assert.deepEqual(secretPatterns([{ id: 's', value: Buffer.from('abc') }]), []);
    const p = secretPatterns([{ id: 's', value: Buffer.from('ab\n\n') }]);
    assert.ok(p.every((x) => x.bytes.toString('latin1') !== 'ab'));
    assert.ok(p.length > 0);
  });
});
