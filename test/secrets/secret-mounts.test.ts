import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SecretMount } from '../../src/dockerfile/instructions/types.js';
import { isKilnError } from '../../src/errors.js';
import { prepareSecretMounts } from '../../src/secrets/secret-mounts.js';
import { parseSecretSpec } from '../../src/secrets/secret-source.js';
import { createSecretStore } from '../../src/secrets/secret-store.js';
import { isMemoryFileSystem, openTmpfsScratch, type TmpfsScratch } from '../../src/secrets/tmpfs-scratch.js';

const me = { uid: process.getuid!(), gid: process.getgid!() };
const secretMount = (m: Partial<SecretMount> & { id: string }): SecretMount => ({
  type: 'secret',
  required: false,
  mode: 0o400,
  ...me,
  ...m,
});

describe('openTmpfsScratch', () => {
  it('gives a 0700 directory on a memory file system and removes it on close', async () => {
    const scratch = await openTmpfsScratch({ env: process.env, fallbackParent: tmpdir() });
    assert.ok(await isMemoryFileSystem(scratch.path));
    assert.equal((await stat(scratch.path)).mode & 0o777, 0o700);
    await scratch.close();
    await assert.rejects(stat(scratch.path));
  });

  it('never falls back to disk: mounts a private tmpfs (as root) or fails with E_SECRET', async () => {
    const disk = await mkdtemp(join(tmpdir(), 'kiln-disk-'));
    try {
      if (await isMemoryFileSystem(disk)) return; // tmpdir is itself tmpfs here: nothing to prove
      const attempt = openTmpfsScratch({ env: {}, fallbackParent: disk, candidates: [disk] });
      if (process.getuid?.() === 0) {
        const scratch = await attempt;
        assert.equal(scratch.how, 'private-mount');
        assert.ok(await isMemoryFileSystem(scratch.path));
        await scratch.close();
      } else {
        await assert.rejects(attempt, (e: unknown) => isKilnError(e) && e.code === 'E_SECRET');
      }
    } finally {
      await rm(disk, { recursive: true, force: true });
    }
  });
});

describe('prepareSecretMounts', () => {
  let scratch: TmpfsScratch;
  before(async () => {
    scratch = await openTmpfsScratch({ env: process.env, fallbackParent: tmpdir() });
  });
  after(() => scratch.close());
  const store = createSecretStore({
    sources: [parseSecretSpec('id=tok,env=TOK'), parseSecretSpec('id=bin,env=BIN')],
    env: { TOK: 'tok-value', BIN: 'a\u0000b' },
  });

  it('writes files on tmpfs with the mode, binds them read-only, and exposes env for the step', async () => {
    const step = await prepareSecretMounts({
      mounts: [
        secretMount({ id: 'tok', target: '/run/secrets/tok' }),
        secretMount({ id: 'tok', env: 'TOKEN' }),
        secretMount({ id: 'tok', target: '/etc/t', env: 'T2', mode: 0o440 }),
        secretMount({ id: 'missing', target: '/run/secrets/missing' }),
      ],
      store,
      scratch,
      stepId: 'a/b',
    });
    assert.deepEqual(step.env, ['TOKEN=tok-value', 'T2=tok-value']);
    assert.deepEqual(step.usedIds, ['tok']);
    assert.ok(await isMemoryFileSystem(step.tempDir));
    assert.deepEqual(
      step.mounts.map((m) => (m.kind === 'bind' ? [m.target, m.readonly] : [])),
      [
        ['/run/secrets/tok', true],
        ['/etc/t', true],
      ],
    );
    for (const [i, m] of step.mounts.entries()) {
      if (m.kind !== 'bind') continue;
      assert.ok(m.source.startsWith(scratch.path));
      assert.ok(await isMemoryFileSystem(m.source));
      assert.equal(await readFile(m.source, 'utf8'), 'tok-value');
      assert.equal((await stat(m.source)).mode & 0o777, i === 0 ? 0o400 : 0o440);
    }
    await step.cleanup();
    for (const m of step.mounts) if (m.kind === 'bind') await assert.rejects(stat(m.source));
  });

  it('fails for a missing required secret with the RUN location, and for non-text env secrets', async () => {
    const location = {
      file: 'Dockerfile',
      range: { start: { line: 3, column: 1 }, end: { line: 3, column: 9 } },
    };
    await assert.rejects(
      prepareSecretMounts({
        mounts: [secretMount({ id: 'nope', required: true, target: '/x' })],
        store,
        scratch,
        stepId: 'r',
        location,
      }),
      (e: unknown) => isKilnError(e) && e.code === 'E_SECRET' && e.location === location,
    );
    await assert.rejects(
      prepareSecretMounts({ mounts: [secretMount({ id: 'bin', env: 'B' })], store, scratch, stepId: 'b' }),
      (e: unknown) => isKilnError(e) && e.code === 'E_SECRET' && !e.message.includes('a\u0000b'),
    );
  });
});
