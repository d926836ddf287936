import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalImageConfig } from '../../src/export/image-config.js';
import { sha256Digest } from '../../src/oci/digest.js';
import type { ImageConfig } from '../../src/oci/types.js';

const BASE = sha256Digest('base');
const L1 = sha256Digest('l1');
const L2 = sha256Digest('l2');

function planned(created?: string): ImageConfig {
  return {
    ...(created === undefined ? {} : { created }),
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [BASE] },
    history: [
      { created_by: 'base layer' },
      { created_by: 'ENV A=1', comment: 'buildkit.dockerfile.v0', empty_layer: true },
      { created_by: 'RUN true # buildkit', comment: 'buildkit.dockerfile.v0' },
      { created_by: 'COPY x / # buildkit', comment: 'buildkit.dockerfile.v0' },
    ],
  };
}

test('layers pair with the non-empty history entries after the base; times come from the layers', () => {
  const config = finalImageConfig(planned(), [
    { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
    { diffID: L2, emptyLayer: false, createdAt: '2024-05-01T10:00:01.500Z' },
  ]);
  assert.deepEqual(config.rootfs.diff_ids, [BASE, L1, L2]);
  assert.equal(config.created, '2024-05-01T10:00:01.5Z');
  assert.deepEqual(
    config.history?.map((h) => [h.created_by, h.created, h.empty_layer]),
    [
      ['base layer', undefined, undefined],
      ['ENV A=1', undefined, true],
      ['RUN true # buildkit', '2024-05-01T10:00:00Z', undefined],
      ['COPY x / # buildkit', '2024-05-01T10:00:01.5Z', undefined],
    ],
  );
});

test('an empty diff adds no layer and marks its history entry empty_layer', () => {
  const config = finalImageConfig(planned(), [
    { diffID: L1, emptyLayer: true, createdAt: '2024-05-01T10:00:00.000Z' },
    { diffID: L2, emptyLayer: false, createdAt: '2024-05-01T10:00:01.000Z' },
  ]);
  assert.deepEqual(config.rootfs.diff_ids, [BASE, L2]);
  assert.equal(config.history?.[2]?.empty_layer, true);
  assert.equal(config.history?.[2]?.created, undefined);
});

test('with SOURCE_DATE_EPOCH (a planned created time) history times are kept', () => {
  const epoch = '2020-01-01T00:00:00Z';
  const withTimes: ImageConfig = {
    ...planned(epoch),
    history: planned().history!.map((h) => ({ ...h, created: epoch })),
  };
  const config = finalImageConfig(withTimes, [
    { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
    { diffID: L2, emptyLayer: false, createdAt: '2024-05-01T10:00:01.000Z' },
  ]);
  assert.equal(config.created, epoch);
  assert.ok(config.history?.every((h) => h.created === epoch));
});

test('a plan whose layer ops do not match its history is an internal error', () => {
  assert.throws(
    () =>
      finalImageConfig(planned(), [
        { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
        { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
        { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
        { diffID: L1, emptyLayer: false, createdAt: '2024-05-01T10:00:00.000Z' },
      ]),
    { code: 'E_INTERNAL' },
  );
});
