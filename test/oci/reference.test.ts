import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import {
  familiarName,
  familiarString,
  parseReference,
  referenceString,
  registryHost,
  withTag,
} from '../../src/oci/index.js';

const HEX = 'a'.repeat(64);

/** input → canonical string, familiar string. */
const VALID: ReadonlyArray<readonly [string, string, string]> = [
  ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
  ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['index.docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['index.docker.io/user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
  ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
  ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost', 'docker.io/library/localhost:latest', 'localhost:latest'],
  ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x:latest'],
  ['localhost:5000/x/y:t', 'localhost:5000/x/y:t', 'localhost:5000/x/y:t'],
  ['ghcr.io/o/app:1.0', 'ghcr.io/o/app:1.0', 'ghcr.io/o/app:1.0'],
  ['Example.COM/app', 'Example.COM/app:latest', 'Example.COM/app:latest'],
  ['[::1]:5000/app', '[::1]:5000/app:latest', '[::1]:5000/app:latest'],
  [
    '127.0.0.1:5000/a_b/c.d/e--f:Tag_1.x-y',
    '127.0.0.1:5000/a_b/c.d/e--f:Tag_1.x-y',
    '127.0.0.1:5000/a_b/c.d/e--f:Tag_1.x-y',
  ],
  [`busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`, `busybox@sha256:${HEX}`],
  [`busybox:1@sha256:${HEX}`, `docker.io/library/busybox:1@sha256:${HEX}`, `busybox:1@sha256:${HEX}`],
  ['a__b/c', 'docker.io/a__b/c:latest', 'a__b/c:latest'],
  [`x:${'t'.repeat(128)}`, `docker.io/library/x:${'t'.repeat(128)}`, `x:${'t'.repeat(128)}`],
];

const INVALID: readonly string[] = [
  '',
  HEX,
  'Busybox',
  'user/App',
  'docker.io/Library/busybox',
  'busybox:',
  'busybox:-tag',
  `busybox:${'t'.repeat(129)}`,
  'busybox@sha256:abc',
  `busybox@sha256:${'A'.repeat(64)}`,
  `busybox@md5:${'a'.repeat(32)}`,
  'a/-b',
  'a/b-',
  'a/b___c',
  'a//b',
  '/a',
  'a/',
  'host:port/x',
  'ex ample/x',
  `example.com/${'a'.repeat(244)}`,
];

describe('parseReference', () => {
  for (const [input, canonical, familiar] of VALID) {
    it(`${input} → ${canonical}`, () => {
      const ref = parseReference(input);
      assert.equal(referenceString(ref), canonical);
      assert.equal(familiarString(ref), familiar);
      // Canonical and familiar forms parse back to the same reference.
      assert.deepEqual(parseReference(canonical), ref);
      assert.deepEqual(parseReference(familiar), ref);
    });
  }
  for (const input of INVALID) {
    it(`rejects ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)}`, () => {
      assert.throws(
        () => parseReference(input),
        (e: unknown) => isKilnError(e) && e.code === 'E_REFERENCE',
      );
    });
  }
  it('accepts a name of exactly 255 characters', () => {
    const name = `example.com/${'a'.repeat(243)}`;
    assert.equal(name.length, 255);
    assert.equal(parseReference(name).path.length, 243);
  });
  it('can leave the tag out', () => {
    const ref = parseReference('busybox', { defaultTag: false });
    assert.equal(ref.tag, undefined);
    assert.equal(referenceString(ref), 'docker.io/library/busybox');
  });
  it('splits domain and path', () => {
    const ref = parseReference('localhost:5000/team/app:v2');
    assert.deepEqual(ref, { domain: 'localhost:5000', path: 'team/app', tag: 'v2' });
    assert.equal(familiarName(ref), 'localhost:5000/team/app');
  });
  it('knows the Docker Hub registry host', () => {
    assert.equal(registryHost(parseReference('busybox')), 'registry-1.docker.io');
    assert.equal(registryHost(parseReference('quay.io/x/y')), 'quay.io');
  });
  it('withTag validates the tag and drops the digest', () => {
    const ref = parseReference(`busybox@sha256:${HEX}`);
    assert.equal(referenceString(withTag(ref, 'v1')), 'docker.io/library/busybox:v1');
    assert.throws(
      () => withTag(ref, 'bad tag'),
      (e: unknown) => isKilnError(e) && e.code === 'E_REFERENCE',
    );
  });
});
