import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedProbe, forgetProbe } from '../../src/build/probe-cache.js';

interface Result {
  readonly pick: string;
}

function isResult(value: unknown): value is Result {
  return typeof value === 'object' && value !== null && typeof (value as Result).pick === 'string';
}

/** A probe that counts its runs and answers `pick`. */
function countingProbe(pick: string) {
  const probe = async (): Promise<Result> => {
    probe.runs += 1;
    return { pick };
  };
  probe.runs = 0;
  return probe;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-probe-cache-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a probe runs once per key; the stored result is returned while the key holds', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'cache', 'probes.json');
    const first = countingProbe('runc');
    const options = { file, name: 'isolation', key: { kernel: '6.1', runtime: 1 }, valid: isResult };
    assert.deepEqual(await cachedProbe({ ...options, probe: first }), { pick: 'runc' });
    assert.equal(first.runs, 1);
    const second = countingProbe('crun');
    assert.deepEqual(
      await cachedProbe({ ...options, probe: second }),
      { pick: 'runc' },
      'read from the file',
    );
    assert.equal(second.runs, 0);
    // Another key (a runtime was upgraded): probed again, and the new result replaces the old one.
    const third = countingProbe('crun');
    const changed = { ...options, key: { kernel: '6.1', runtime: 2 } };
    assert.deepEqual(await cachedProbe({ ...changed, probe: third }), { pick: 'crun' });
    assert.equal(third.runs, 1);
    assert.deepEqual(await cachedProbe({ ...changed, probe: countingProbe('x') }), { pick: 'crun' });
  });
});

test('entries are independent; forgetProbe drops one; damaged files and invalid values mean probing again', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'probes.json');
    await cachedProbe({ file, name: 'a', key: 1, valid: isResult, probe: countingProbe('a1') });
    await cachedProbe({ file, name: 'b', key: 1, valid: isResult, probe: countingProbe('b1') });
    await forgetProbe(file, 'a');
    const again = countingProbe('a2');
    assert.deepEqual(await cachedProbe({ file, name: 'a', key: 1, valid: isResult, probe: again }), {
      pick: 'a2',
    });
    assert.equal(again.runs, 1);
    const kept = countingProbe('b2');
    assert.deepEqual(await cachedProbe({ file, name: 'b', key: 1, valid: isResult, probe: kept }), {
      pick: 'b1',
    });
    assert.equal(kept.runs, 0);

    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      entries: Record<string, { value: unknown }>;
    };
    stored.entries.b = { ...stored.entries.b, value: { pick: 42 } } as { value: unknown };
    await writeFile(file, JSON.stringify(stored));
    const invalid = countingProbe('b3');
    assert.deepEqual(await cachedProbe({ file, name: 'b', key: 1, valid: isResult, probe: invalid }), {
      pick: 'b3',
    });
    assert.equal(invalid.runs, 1);

    await writeFile(file, '{ not json');
    const damaged = countingProbe('a3');
    assert.deepEqual(await cachedProbe({ file, name: 'a', key: 1, valid: isResult, probe: damaged }), {
      pick: 'a3',
    });
    assert.equal(damaged.runs, 1);
  });
});

test('a failing probe stores nothing', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'probes.json');
    const failing = async (): Promise<Result> => {
      throw new Error('no runtime works');
    };
    await assert.rejects(
      cachedProbe({ file, name: 'a', key: 1, valid: isResult, probe: failing }),
      /no runtime/,
    );
    const next = countingProbe('a');
    await cachedProbe({ file, name: 'a', key: 1, valid: isResult, probe: next });
    assert.equal(next.runs, 1);
  });
});
