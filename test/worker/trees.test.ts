import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lookupInLowers, resolveInLowers } from '../../src/worker/trees.js';

test('lookups through stacked lowers: the top layer decides, a 0:0 char device whiteout hides', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-trees-'));
  try {
    const bottom = join(dir, 'bottom');
    const top = join(dir, 'top');
    await mkdir(join(bottom, 'etc'), { recursive: true });
    await writeFile(join(bottom, 'etc', 'a'), 'a');
    await mkdir(join(top, 'etc'), { recursive: true });
    await writeFile(join(top, 'etc', 'b'), 'b');
    assert.ok((await lookupInLowers([top, bottom], '/etc/a'))?.isFile());
    assert.ok((await lookupInLowers([top, bottom], '/etc/b'))?.isFile());
    assert.ok((await lookupInLowers([top, bottom], '/etc'))?.isDirectory());
    assert.equal(await lookupInLowers([top, bottom], '/nope'), undefined);
    assert.equal(await lookupInLowers([], '/etc'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('symlinks resolve inside the merged tree: relative, absolute, chained, and never above /', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-trees-'));
  try {
    const bottom = join(dir, 'bottom');
    const top = join(dir, 'top');
    await mkdir(join(bottom, 'usr', 'lib'), { recursive: true });
    await symlink('usr/lib', join(bottom, 'lib'));
    await mkdir(top);
    await symlink('/lib', join(top, 'lib64'));
    await symlink('../../../../etc', join(top, 'escape'));
    assert.equal(await resolveInLowers([top, bottom], '/lib/x.so'), '/usr/lib/x.so');
    assert.equal(await resolveInLowers([top, bottom], '/lib64/deep/x'), '/usr/lib/deep/x');
    assert.equal(await resolveInLowers([top, bottom], '/escape/passwd'), '/etc/passwd');
    assert.equal(await resolveInLowers([top, bottom], '/plain/dir/'), '/plain/dir');
    assert.equal(await resolveInLowers([top, bottom], '/'), '/');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
