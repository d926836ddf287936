/** Header block numeric fields: octal with optional space / NUL padding, base-256, strict refusal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../../src/errors.js';
import { decodeHeaderBlock, encodeHeaderBlock } from '../../../src/layer/tar/header-block.js';

function block(): Buffer {
  return encodeHeaderBlock({
    name: 'f',
    prefix: '',
    mode: 0o644,
    uid: 1000,
    gid: 1000,
    size: 12,
    mtime: 1_600_000_000,
    typeflag: '0',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
}

/** Rewrites a field and fixes the checksum. */
function withField(original: Buffer, offset: number, bytes: Buffer): Buffer {
  const b = Buffer.from(original);
  bytes.copy(b, offset);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

describe('decodeHeaderBlock numeric fields', () => {
  it('reads octal with leading spaces and trailing NULs or spaces', () => {
    for (const text of ['  1750\0\0', '00001750', '1750    ', '\0\x001750 ']) {
      const h = decodeHeaderBlock(withField(block(), 108, Buffer.from(text, 'latin1')));
      assert.equal(h.uid, 0o1750, JSON.stringify(text));
    }
    assert.equal(decodeHeaderBlock(withField(block(), 108, Buffer.from('        ', 'latin1'))).uid, 0);
  });

  it('reads base-256 values', () => {
    const field = Buffer.from([0x80, 0, 0, 0, 0, 0, 0x01, 0x00]);
    assert.equal(decodeHeaderBlock(withField(block(), 108, field)).uid, 256);
  });

  it('refuses digits outside 0-7, embedded spaces, and negative base-256', () => {
    for (const field of [
      Buffer.from('0000178\0', 'latin1'),
      Buffer.from('00 17 5\0', 'latin1'),
      Buffer.from('+0001750', 'latin1'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      assert.throws(
        () => decodeHeaderBlock(withField(block(), 108, field)),
        (error: unknown) => isKilnError(error) && error.code === 'E_UNSAFE_ARCHIVE',
        JSON.stringify(field.toString('latin1')),
      );
    }
  });
});
