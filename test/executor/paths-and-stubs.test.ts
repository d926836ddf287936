import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveInRoot } from '../../src/executor/in-root.js';
import { ensureMountPoint, removeStubs } from '../../src/executor/stubs.js';

let base = '';
let root = '';
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'kiln-inroot-'));
  root = join(base, 'root');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(base, 'outside'));
  await symlink('/etc', join(root, 'abs'));
  await symlink('../../../../outside', join(root, 'up'));
  await symlink(join(base, 'outside'), join(root, 'hostlink'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  await writeFile(join(root, 'etc', 'file'), 'x');
});
after(() => rm(base, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  it('keeps symlinks inside the rootfs', async () => {
    assert.equal(await resolveInRoot(root, '/abs/passwd'), join(root, 'etc', 'passwd'));
    assert.equal(await resolveInRoot(root, '/up/x'), join(root, 'outside', 'x'));
    assert.equal(await resolveInRoot(root, `/hostlink/y`), join(root, base, 'outside', 'y'));
    assert.equal(await resolveInRoot(root, '/../../etc/./file'), join(root, 'etc', 'file'));
  });
  it('fails on symlink loops with E_PATH_ESCAPE', async () => {
    await assert.rejects(resolveInRoot(root, '/loop1/x'), { code: 'E_PATH_ESCAPE' });
  });
});

describe('mount point stubs', () => {
  it('creates missing parents and targets, records them, and removes them again', async () => {
    const a = await ensureMountPoint(root, '/run/secrets/token', 'file');
    const b = await ensureMountPoint(root, '/abs/hosts', 'file');
    assert.deepEqual(a.created, ['/run', '/run/secrets', '/run/secrets/token']);
    assert.deepEqual(b.created, ['/etc/hosts']);
    assert.equal(b.hostPath, join(root, 'etc', 'hosts'));
    const kept = await removeStubs(root, [...a.created, ...b.created]);
    assert.deepEqual(kept, []);
    assert.deepEqual((await readdir(root)).sort(), ['abs', 'etc', 'hostlink', 'loop1', 'loop2', 'up']);
    assert.deepEqual(await readdir(join(root, 'etc')), ['file']);
  });
  it('keeps stubs the command wrote into, and refuses type clashes', async () => {
    const a = await ensureMountPoint(root, '/cache', 'dir');
    await writeFile(join(root, 'cache', 'data'), 'y');
    assert.deepEqual(await removeStubs(root, a.created), ['/cache']);
    assert.deepEqual((await ensureMountPoint(root, '/cache', 'dir')).created, []);
    await assert.rejects(ensureMountPoint(root, '/etc/file', 'dir'), { code: 'E_EXECUTOR' });
    await assert.rejects(ensureMountPoint(root, '/etc/file/sub', 'dir'), { code: 'E_EXECUTOR' });
  });
});
