import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveInRoot } from '../../src/executor/in-root.js';
import { StubRecorder } from '../../src/executor/stubs.js';

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
    const stubs = new StubRecorder(root);
    await stubs.ensure('/run/secrets/token', 'file');
    const hosts = await stubs.ensure('/abs/hosts', 'file');
    assert.deepEqual(stubs.created, ['/run', '/run/secrets', '/run/secrets/token', '/etc/hosts']);
    assert.equal(hosts, join(root, 'etc', 'hosts'));
    assert.deepEqual(await stubs.undo(), []);
    assert.deepEqual((await readdir(root)).sort(), ['abs', 'etc', 'hostlink', 'loop1', 'loop2', 'up']);
    assert.deepEqual(await readdir(join(root, 'etc')), ['file']);
  });

  it('restores the timestamps of the directories it created stubs in, unless the command changed them', async () => {
    const old = new Date('2001-02-03T04:05:06.789Z');
    await utimes(join(root, 'etc'), old, old);
    await utimes(root, old, old);
    const stubs = new StubRecorder(root);
    await stubs.ensure('/etc/resolv.conf', 'file');
    await stubs.ensure('/etc/hostname', 'file');
    await stubs.ensure('/proc', 'dir');
    assert.notEqual((await stat(join(root, 'etc'))).mtimeMs, old.getTime());
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(root, 'touched-by-command'), 'x');
    await stubs.undo();
    assert.equal((await stat(join(root, 'etc'))).mtimeMs, old.getTime());
    assert.notEqual((await stat(root)).mtimeMs, old.getTime(), 'the root dir was changed by the command');
    await rm(join(root, 'touched-by-command'));
  });

  it('keeps stubs the command wrote into, and refuses type clashes', async () => {
    const stubs = new StubRecorder(root);
    await stubs.ensure('/cache', 'dir');
    await writeFile(join(root, 'cache', 'data'), 'y');
    assert.deepEqual(await stubs.undo(), ['/cache']);
    const again = new StubRecorder(root);
    await again.ensure('/cache', 'dir');
    assert.deepEqual(again.created, []);
    await assert.rejects(again.ensure('/etc/file', 'dir'), { code: 'E_EXECUTOR' });
    await assert.rejects(again.ensure('/etc/file/sub', 'dir'), { code: 'E_EXECUTOR' });
  });
});
