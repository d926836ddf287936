/**
 * The apply's shortcuts (cached parent resolution, no existence lstat in directories it created, no
 * re-checks in finishNodes when nothing was removed) must not change results: regression tests for
 * replacements that would make a stale cache write to the wrong place.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyLayer } from '../../src/layer/apply.js';
import { buildTar, type FixtureEntry, streamOf, tempDir, testOwnership } from './tar-fixtures.js';

interface Box {
  readonly root: string;
  readonly outside: string;
}

async function withBox(body: (box: Box) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('cache');
  const box = { root: join(dir, 'root'), outside: join(dir, 'outside') };
  try {
    await mkdir(box.root);
    await mkdir(box.outside);
    await body(box);
    assert.deepEqual(await readdir(box.outside), [], 'nothing landed outside the root');
  } finally {
    await cleanup();
  }
}

async function apply(box: Box, entries: readonly FixtureEntry[]): Promise<void> {
  await applyLayer(streamOf(await buildTar(entries)), { root: box.root, ownership: testOwnership() });
}

const text = (box: Box, rel: string) => readFile(join(box.root, rel), 'utf8');

describe('applyLayer caches stay correct', () => {
  it('follows a directory that a later entry replaced with a symlink', () =>
    withBox(async (box) => {
      await apply(box, [
        { name: 'a/', type: 'directory' },
        { name: 'a/b/', type: 'directory' },
        { name: 'a/b/f', body: 'before' },
        { name: 'x/', type: 'directory' },
        { name: 'a', type: 'symlink', linkname: '/x' },
        { name: 'a/b/g', body: 'after' },
        { name: 'esc', type: 'symlink', linkname: box.outside },
        { name: 'esc/b/h', body: 'inside' },
      ]);
      assert.equal(await readlink(join(box.root, 'a')), '/x');
      assert.equal(await text(box, 'x/b/g'), 'after');
      assert.equal(await text(box, join(box.outside, 'b/h')), 'inside');
    }));

  it('writes into a directory that replaced a symlink, not into the old target', () =>
    withBox(async (box) => {
      await apply(box, [
        { name: 't/', type: 'directory' },
        { name: 's', type: 'symlink', linkname: 't' },
        { name: 's/one', body: '1' },
        { name: 's/', type: 'directory' },
        { name: 's/two', body: '2' },
      ]);
      assert.equal(await text(box, 't/one'), '1');
      assert.ok((await lstat(join(box.root, 's'))).isDirectory());
      assert.equal(await text(box, 's/two'), '2');
      assert.deepEqual(await readdir(join(box.root, 't')), ['one']);
    }));

  it('lets a later entry replace an earlier one in a directory the layer created', () =>
    withBox(async (box) => {
      await apply(box, [
        { name: 'd/', type: 'directory' },
        { name: 'd/f', body: 'one' },
        { name: 'd/f', body: 'two' },
        { name: 'd/h', type: 'hardlink', linkname: 'd/f' },
        { name: 'd/h', body: 'three' },
        { name: 'd/l', type: 'symlink', linkname: 'f' },
        { name: 'd/l', body: 'file now' },
        { name: 'implicit/q/f', body: 'x' },
        { name: 'implicit/q/f', body: 'y' },
        { name: 'd/sub/', type: 'directory' },
        { name: 'd/sub/inner', body: 'gone' },
        { name: 'd/sub', body: 'was a directory' },
      ]);
      assert.equal(await text(box, 'd/f'), 'two');
      assert.equal(await text(box, 'd/h'), 'three');
      assert.equal(await text(box, 'd/l'), 'file now');
      assert.equal(await text(box, 'implicit/q/f'), 'y');
      assert.equal(await text(box, 'd/sub'), 'was a directory');
    }));

  it('replaces files that existed before the apply in directories it did not create', () =>
    withBox(async (box) => {
      await mkdir(join(box.root, 'pre'));
      await writeFile(join(box.root, 'pre/f'), 'old');
      await symlink(box.outside, join(box.root, 'pre/link'));
      await apply(box, [
        { name: 'pre/f', body: 'new' },
        { name: 'pre/link', body: 'not through the link' },
      ]);
      assert.equal(await text(box, 'pre/f'), 'new');
      assert.ok((await lstat(join(box.root, 'pre/link'))).isFile());
    }));

  it('writes large bodies (asynchronous writes) and small ones (synchronous) byte for byte', () =>
    withBox(async (box) => {
      const big = randomBytes(3 * 1024 * 1024 + 5);
      const small = randomBytes(1000);
      await apply(box, [
        { name: 'big', body: big },
        { name: 'small', body: small },
        { name: 'big2', body: big },
      ]);
      assert.ok((await readFile(join(box.root, 'big'))).equals(big));
      assert.ok((await readFile(join(box.root, 'small'))).equals(small));
      assert.ok((await readFile(join(box.root, 'big2'))).equals(big));
    }));

  for (const replaced of [false, true]) {
    it(`sets modes and mtimes ${replaced ? 'after' : 'without'} a replacement`, () =>
      withBox(async (box) => {
        const extra: FixtureEntry[] = replaced
          ? [
              { name: 'r', body: 'a' },
              { name: 'r', body: 'b' },
            ]
          : [];
        await apply(box, [
          { name: 'dir/', type: 'directory', mode: 0o711, mtime: 1_500_000_000 },
          { name: 'dir/file', mode: 0o640, mtime: 1_400_000_000, body: 'x' },
          { name: 'dir/link', type: 'symlink', linkname: 'file', mtime: 1_300_000_000 },
          ...extra,
        ]);
        const dir = await stat(join(box.root, 'dir'));
        const file = await stat(join(box.root, 'dir/file'));
        const link = await lstat(join(box.root, 'dir/link'));
        assert.equal(dir.mode & 0o7777, 0o711);
        assert.equal(file.mode & 0o7777, 0o640);
        assert.equal(dir.mtimeMs, 1_500_000_000_000);
        assert.equal(file.mtimeMs, 1_400_000_000_000);
        assert.equal(link.mtimeMs, 1_300_000_000_000);
      }));
  }
});
