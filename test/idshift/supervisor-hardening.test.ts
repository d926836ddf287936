/**
 * Security regressions from a review of kiln-idshift's supervisor: calls it must leave to the kernel
 * (answered with CONTINUE, so they run unchanged with the caller's own rights) instead of acting with
 * its own capabilities, and stat flags it must not mask. The helper runs directly here (as in
 * helper.test.ts); the caller is test/idshift/fixtures/caller-probe.c or util-linux's unshare.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findProgram } from '../../src/userns/prerequisites.js';
import { repoRoot } from '../helpers/paths.js';
import { compiledHelper, recordedOwner } from './compiled-helper.js';

const run = promisify(execFile);

const cc = await findProgram('cc', process.env.PATH);
const unshare = await findProgram('unshare', process.env.PATH);
const isRoot = process.getuid?.() === 0;
const skip =
  cc === undefined
    ? 'no C compiler (cc) installed'
    : !isRoot
      ? 'needs root (chroot, user namespaces)'
      : false;

describe('kiln-idshift leaves to the kernel what it must not do itself', { skip, timeout: 60_000 }, () => {
  let work: string;
  let helper: string;
  let probe: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kiln-idshift-harden-'));
    helper = await compiledHelper(work);
    probe = join(work, 'caller-probe');
    const source = join(repoRoot(), 'test', 'idshift', 'fixtures', 'caller-probe.c');
    await run(cc as string, ['-O1', '-o', probe, source]);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('a directory descriptor from outside the caller’s root: not resolved by the helper', async () => {
    const outside = join(work, 'outside');
    const root = join(work, 'root');
    await mkdir(outside);
    await mkdir(root);
    const target = join(outside, 'target');
    await writeFile(target, 'outside the root\n');
    const { stdout } = await run(helper, ['--', probe, 'dirfd-chown', outside, root, 'target']);
    // The kernel ran the call (the caller is real root here, so it really chowned); the helper
    // neither recorded an owner on the outside file nor reported one.
    assert.equal(await recordedOwner(target), null);
    assert.equal(stdout.trim(), 'chown=0 uid=1000');
    assert.equal((await stat(target)).uid, 1000);
  });

  it('a caller in a nested user namespace (unshare -U -r): the kernel decides, nothing recorded', {
    skip: unshare === undefined ? 'no unshare (util-linux)' : false,
  }, async () => {
    const file = join(work, 'nested-userns');
    await writeFile(file, '');
    // Full capabilities, but only in its own namespace, where 1000 is not mapped: EINVAL.
    await assert.rejects(
      run(helper, ['--', unshare as string, '--user', '--map-root-user', 'chown', '1000:1000', file]),
      (e: { stderr?: string }) => /Invalid argument/.test(e.stderr ?? ''),
    );
    assert.equal(await recordedOwner(file), null);
    // the same call from the helper's own namespace is emulated
    await run(helper, ['--', 'chown', '1000:1000', file]);
    assert.deepEqual(await recordedOwner(file), { uid: 1000, gid: 1000 });
  });

  it('stat with a flag stat calls reject fails with EINVAL, as without the helper', async () => {
    const native = await run(probe, ['stat-flags', work]);
    const emulated = await run(helper, ['--', probe, 'stat-flags', work]);
    assert.equal(native.stdout.trim(), 'stat=22');
    assert.equal(emulated.stdout.trim(), 'stat=22');
  });
});
