import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTransportSpec, parseTransportSpec } from '../../src/archive/index.js';
import { isKilnError } from '../../src/errors.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseTransportSpec', () => {
  const cases: readonly [string, unknown][] = [
    ['busybox', { kind: 'kiln', ref: 'busybox' }],
    ['kiln:ghcr.io/o/r:1', { kind: 'kiln', ref: 'ghcr.io/o/r:1' }],
    ['docker://localhost:5000/x:1', { kind: 'docker', ref: 'localhost:5000/x:1' }],
    ['oci:/tmp/layout', { kind: 'oci', dir: '/tmp/layout', pick: { kind: 'all' } }],
    ['oci:/tmp/layout:v1', { kind: 'oci', dir: '/tmp/layout', pick: { kind: 'name', name: 'v1' } }],
    [
      'oci:dir:docker.io/library/busybox:latest',
      { kind: 'oci', dir: 'dir', pick: { kind: 'name', name: 'docker.io/library/busybox:latest' } },
    ],
    [
      `oci:/tmp/layout@${DIGEST}`,
      { kind: 'oci', dir: '/tmp/layout', pick: { kind: 'digest', digest: DIGEST } },
    ],
    ['oci-layout://./ctx:v2', { kind: 'oci', dir: './ctx', pick: { kind: 'name', name: 'v2' } }],
    [`oci-layout://ctx@${DIGEST}`, { kind: 'oci', dir: 'ctx', pick: { kind: 'digest', digest: DIGEST } }],
    ['oci-archive:a.tar', { kind: 'oci-archive', file: 'a.tar', pick: { kind: 'all' } }],
    [
      'docker-archive:a.tar:busybox:1',
      { kind: 'docker-archive', file: 'a.tar', pick: { kind: 'name', name: 'busybox:1' } },
    ],
    [
      'docker-archive:a.tar:@2',
      { kind: 'docker-archive', file: 'a.tar', pick: { kind: 'position', position: 2 } },
    ],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      const spec = parseTransportSpec(text);
      assert.deepEqual(spec, expected);
      if (!text.startsWith('oci-layout://') && text !== 'busybox')
        assert.equal(formatTransportSpec(spec), text);
    });
  }

  for (const bad of [
    '',
    'oci:',
    'oci::x',
    'kiln:',
    'docker://',
    'oci-archive:a.tar:',
    'oci:dir:@1',
    'docker-archive:a:@x',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseTransportSpec(bad),
        (e: unknown) => isKilnError(e) && e.code === 'E_USAGE',
      );
    });
  }
});
