import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildFlags } from '../../src/cli/build-options.js';
import { decodeBuildRequest, encodeBuildRequest } from '../../src/cli/build-request.js';

test('a build request survives the trip to the build process (flags as commander parsed them)', () => {
  const flags = {
    tag: ['app:1', 'app:latest'],
    buildArg: ['A=1', 'B'],
    label: [],
    cache: false,
    provenance: true,
    file: '/ctx/Dockerfile.dev',
  } as unknown as BuildFlags;
  const request = { contextArg: '/ctx', flags, root: '/home/u/kiln' };
  assert.deepEqual(decodeBuildRequest(encodeBuildRequest(request)), request);
  const withoutRoot = { contextArg: '-', flags };
  assert.deepEqual(decodeBuildRequest(encodeBuildRequest(withoutRoot)), withoutRoot);
});

test('anything but a request from encodeBuildRequest is refused with E_INTERNAL', () => {
  for (const text of [
    undefined,
    '',
    '{',
    '[]',
    '{"flags":{}}',
    '{"contextArg":1,"flags":{}}',
    '{"contextArg":"x"}',
  ]) {
    assert.throws(() => decodeBuildRequest(text), { code: 'E_INTERNAL' }, String(text));
  }
  assert.throws(() => decodeBuildRequest('{"contextArg":"x","flags":{},"root":5}'), { code: 'E_INTERNAL' });
});
