import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageSelector, refName } from '../../src/store/image-selector.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageSelector', () => {
  it('classifies digests, ID prefixes and references', () => {
    assert.equal(parseImageSelector(D).kind, 'digest');
    const prefix = parseImageSelector('abcd12');
    assert.equal(prefix.kind, 'id-prefix');
    assert.equal(
      prefix.kind === 'id-prefix' && prefix.reference && refName(prefix.reference),
      'docker.io/library/abcd12:latest',
    );
    const full = parseImageSelector('a'.repeat(64));
    assert.equal(full.kind === 'id-prefix' && full.reference, undefined);
    assert.equal(parseImageSelector('abc').kind, 'reference');
  });

  it('gives the full ref name of a tag and none for a digest-only reference', () => {
    const ref = parseImageSelector('busybox');
    assert.equal(ref.kind === 'reference' && refName(ref), 'docker.io/library/busybox:latest');
    const pinned = parseImageSelector(`ghcr.io/o/r@${D}`);
    assert.equal(pinned.kind === 'reference' && refName(pinned), undefined);
  });

  it('refuses malformed input', () => {
    assert.throws(() => parseImageSelector(''), { code: 'E_REFERENCE' });
    assert.throws(() => parseImageSelector('Bad//ref'), { code: 'E_REFERENCE' });
    assert.throws(() => parseImageSelector(`sha256:${'a'.repeat(63)}`), { code: 'E_INVALID_DIGEST' });
  });
});
