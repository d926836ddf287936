import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BuildFlags, toBuildRunOptions } from '../../src/cli/build-options.js';

const base: BuildFlags = { tag: [], buildArg: [], label: [] };

test('kiln build flags: defaults', () => {
  const run = toBuildRunOptions(base, {});
  assert.equal(run.noCache, false);
  assert.equal(run.pull, false);
  assert.equal(run.progress, 'auto');
  assert.equal(run.quiet, false);
  assert.equal(run.isolation, 'auto');
  assert.equal(run.snapshotter, 'auto');
  assert.deepEqual(run.outputs, []);
  assert.equal(run.network, undefined);
  assert.equal(run.jobs, undefined);
  assert.equal(run.sourceDateEpoch, undefined);
});

test('kiln build flags: docker spellings map to build options', () => {
  const run = toBuildRunOptions(
    {
      ...base,
      cache: false,
      cacheFilter: ['build,test', 'lint'],
      pull: true,
      network: 'none',
      output: ['type=local,dest=out', '-'],
      push: true,
      quiet: true,
      isolation: 'chroot',
      snapshotter: 'copy',
      jobs: '8',
      sourceDateEpoch: '1700000000',
      buildContext: ['extra=docker-image://busybox:1'],
      secret: ['id=tok,env=TOKEN'],
      ssh: ['default'],
    },
    {},
  );
  assert.equal(run.noCache, true);
  assert.deepEqual(run.noCacheFilter, ['build', 'test', 'lint']);
  assert.equal(run.network, 'none');
  assert.deepEqual(run.outputs, [
    { kind: 'local', dest: 'out' },
    { kind: 'tar', dest: '-' },
    { kind: 'registry', names: [] },
  ]);
  assert.equal(run.progress, 'quiet');
  assert.equal(run.jobs, 8);
  assert.equal(run.sourceDateEpoch, 1700000000);
  assert.deepEqual(run.buildContexts.get('extra'), { kind: 'image', ref: 'busybox:1' });
  assert.deepEqual(run.secrets, [{ kind: 'env', id: 'tok', variable: 'TOKEN' }]);
  assert.deepEqual(run.ssh, [{ id: 'default', paths: [] }]);
  assert.equal(toBuildRunOptions({ ...base, network: 'default' }, {}).network, 'host');
});

test('kiln build flags: SOURCE_DATE_EPOCH and BUILDKIT_PROGRESS from the environment', () => {
  const run = toBuildRunOptions(base, { SOURCE_DATE_EPOCH: '42', BUILDKIT_PROGRESS: 'plain' });
  assert.equal(run.sourceDateEpoch, 42);
  assert.equal(run.progress, 'plain');
});

test('kiln build flags: bad values are E_USAGE', () => {
  for (const flags of [
    { network: 'bridge' },
    { isolation: 'vm' },
    { snapshotter: 'zfs' },
    { jobs: '0' },
    { jobs: 'many' },
    { sourceDateEpoch: '-1' },
    { progress: 'fancy' },
    { output: ['type=nope,dest=x'] },
    { buildContext: ['novalue'] },
  ] as const) {
    assert.throws(
      () => toBuildRunOptions({ ...base, ...flags } as BuildFlags, {}),
      { code: 'E_USAGE' },
      JSON.stringify(flags),
    );
  }
});
