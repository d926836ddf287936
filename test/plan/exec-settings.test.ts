/**
 * `--add-host`, `--shm-size` and `--ulimit` reach every exec op of a plan and its cache key (as BuildKit keeps
 * them in the exec op's meta); without them, ops and keys are what they were before these flags.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BuildPlan, computeCacheKeys, type ExecSettings } from '../../src/plan/index.js';
import { plan, SHA_A, SHA_B } from './plan-helpers.js';

const DOCKERFILE = 'FROM alpine AS a\nRUN one\nCOPY f /f\nFROM a\nRUN two\n';

function keys(exec?: ExecSettings): { readonly plan: BuildPlan; readonly keys: ReadonlyMap<string, string> } {
  const p = plan(DOCKERFILE, exec === undefined ? {} : { exec });
  const imageDigests = new Map(
    p.ops.filter((o) => o.kind === 'source' && o.source.kind === 'image').map((o) => [o.id, SHA_A]),
  );
  const contextDigests = new Map(p.contextSelections.map((s) => [s.id, SHA_B]));
  return { plan: p, keys: computeCacheKeys(p, { imageDigests, contextDigests }) };
}

function execIds(p: BuildPlan): string[] {
  return p.ops.filter((o) => o.kind === 'exec').map((o) => o.id);
}

describe('build-wide exec settings', () => {
  const base = keys();
  const empty = keys({ extraHosts: [] });
  const hosts = keys({ extraHosts: [{ host: 'db', ip: '10.0.0.1' }] });
  const otherHosts = keys({ extraHosts: [{ host: 'db', ip: '10.0.0.2' }] });
  const shm = keys({ shmSizeBytes: 128 * 1024 * 1024 });
  const limits = keys({ ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }] });

  it('every exec op carries them; none when unset or empty', () => {
    for (const op of hosts.plan.ops) {
      if (op.kind === 'exec') assert.deepEqual(op.extraHosts, [{ host: 'db', ip: '10.0.0.1' }]);
    }
    for (const op of shm.plan.ops) if (op.kind === 'exec') assert.equal(op.shmSizeBytes, 128 * 1024 * 1024);
    for (const op of limits.plan.ops) {
      if (op.kind === 'exec') assert.deepEqual(op.ulimits, [{ name: 'nofile', soft: 1024, hard: 2048 }]);
    }
    for (const op of [...base.plan.ops, ...empty.plan.ops]) {
      assert.ok(!('extraHosts' in op) && !('shmSizeBytes' in op) && !('ulimits' in op), op.id);
    }
    assert.deepEqual([...empty.keys], [...base.keys]);
  });

  it('change the keys of the RUN steps and what follows them, not of what comes before', () => {
    const execs = execIds(base.plan);
    assert.equal(execs.length, 2);
    for (const variant of [hosts, otherHosts, shm, limits]) {
      const changed = [...base.keys.keys()].filter((id) => base.keys.get(id) !== variant.keys.get(id));
      for (const id of execs) assert.ok(changed.includes(id), id);
      for (const op of base.plan.ops) {
        if (op.kind === 'source') assert.ok(!changed.includes(op.id), op.id);
      }
    }
    const [first] = execs;
    assert.notEqual(hosts.keys.get(first!), otherHosts.keys.get(first!));
  });
});
