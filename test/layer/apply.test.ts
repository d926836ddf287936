import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { applyLayer } from '../../src/layer/apply.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { buildTar, streamOf, tempDir, testOwnership } from './tar-fixtures.js';

const isRoot = process.getuid?.() === 0;

describe('applyLayer', () => {
  it('unpacks files, dirs, symlinks, hardlinks with modes, owners and mtimes', async () => {
    const { dir, cleanup } = await tempDir('apply');
    try {
      const tar = await buildTar([
        { name: 'etc/', type: 'directory', mode: 0o755, mtime: 1_000_000 },
        { name: 'etc/passwd', body: 'root:x:0:0\n', mode: 0o644, mtime: 1_000_100 },
        { name: 'bin/', type: 'directory', mode: 0o750, mtime: 1_000_200 },
        { name: 'bin/su', body: 'suid', mode: 0o4755, uid: isRoot ? 0 : process.getuid!(), mtime: 1_000_300 },
        { name: 'bin/link', type: 'hardlink', linkname: 'bin/su' },
        { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', mtime: 1_000_400 },
        { name: 'tmp/', type: 'directory', mode: 0o1777 },
        { name: 'fifo', type: 'fifo', mode: 0o640 },
      ]);
      const result = await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
      assert.equal(result.entries, 8);
      assert.equal(result.diffID, sha256Digest(tar));
      assert.equal(result.size, tar.length);
      assert.equal(await readFile(join(dir, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
      const su = await lstat(join(dir, 'bin/su'));
      assert.equal(su.mode & 0o7777, 0o4755, 'setuid survives chown');
      assert.equal(su.mtimeMs, 1_000_300_000);
      assert.equal(su.nlink, 2);
      assert.equal((await lstat(join(dir, 'bin/link'))).ino, su.ino);
      assert.equal(await readlink(join(dir, 'bin/sh')), '/bin/busybox');
      assert.equal((await lstat(join(dir, 'bin/sh'))).mtimeMs, 1_000_400_000);
      const bin = await lstat(join(dir, 'bin'));
      assert.equal(bin.mode & 0o7777, 0o750);
      assert.equal(bin.mtimeMs, 1_000_200_000, 'directory mtime set after its contents');
      assert.equal((await lstat(join(dir, 'tmp'))).mode & 0o7777, 0o1777);
      const fifo = await lstat(join(dir, 'fifo'));
      assert.ok(fifo.isFIFO());
      assert.equal(fifo.mode & 0o777, 0o640);
    } finally {
      await cleanup();
    }
  });

  it('chowns to the tar ids with the native strategy', { skip: !isRoot && 'needs root' }, async () => {
    const { dir, cleanup } = await tempDir('owners');
    try {
      const tar = await buildTar([
        { name: 'home/', type: 'directory', uid: 1000, gid: 1001 },
        { name: 'home/f', body: 'x', uid: 1000, gid: 1001, mode: 0o2755 },
      ]);
      await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
      const f = await lstat(join(dir, 'home/f'));
      assert.deepEqual([f.uid, f.gid, f.mode & 0o7777], [1000, 1001, 0o2755]);
      assert.equal((await lstat(join(dir, 'home'))).uid, 1000);
    } finally {
      await cleanup();
    }
  });

  it('detects gzip and zstd by magic bytes', async () => {
    const tar = await buildTar([{ name: 'a', body: 'hello' }]);
    const zst = execFileSync('zstd', ['-q', '-c'], { input: tar });
    for (const blob of [gzipSync(tar), zst, tar]) {
      const { dir, cleanup } = await tempDir('compressed');
      try {
        const result = await applyLayer(streamOf(blob), { root: dir, ownership: testOwnership() });
        assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'hello');
        assert.equal(result.diffID, sha256Digest(tar));
      } finally {
        await cleanup();
      }
    }
  });

  it('applies whiteouts and opaque directories against lower content', async () => {
    const { dir, cleanup } = await tempDir('whiteout');
    try {
      await mkdir(join(dir, 'keep/sub'), { recursive: true });
      await writeFile(join(dir, 'keep/old'), 'old');
      await writeFile(join(dir, 'keep/sub/x'), 'x');
      await mkdir(join(dir, 'gone'));
      await writeFile(join(dir, 'gone/f'), 'f');
      await writeFile(join(dir, 'file'), 'f');
      const tar = await buildTar([
        { name: 'keep/', type: 'directory' },
        { name: 'keep/new', body: 'new' },
        { name: 'keep/.wh..wh..opq' },
        { name: '.wh.gone' },
        { name: '.wh.file' },
        { name: '.wh.never-existed' },
      ]);
      await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
      assert.deepEqual(await readdir(join(dir, 'keep')), ['new']);
      assert.deepEqual((await readdir(dir)).sort(), ['keep']);
    } finally {
      await cleanup();
    }
  });

  it('lets later entries replace earlier ones, also across types', async () => {
    const { dir, cleanup } = await tempDir('replace');
    try {
      await mkdir(join(dir, 'was-dir/deep'), { recursive: true });
      await writeFile(join(dir, 'was-dir/deep/f'), 'f');
      await writeFile(join(dir, 'was-file'), 'f');
      await writeFile(join(dir, 'shared'), 'lower');
      const tar = await buildTar([
        { name: 'dup', body: 'first' },
        { name: 'dup', body: 'second' },
        { name: 'was-dir', body: 'now a file' },
        { name: 'was-file/', type: 'directory' },
        { name: 'was-file/inside', body: 'ok' },
        { name: 'hl', type: 'hardlink', linkname: 'shared' },
        { name: 'shared', body: 'replaced' },
      ]);
      await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
      assert.equal(await readFile(join(dir, 'dup'), 'utf8'), 'second');
      assert.equal(await readFile(join(dir, 'was-dir'), 'utf8'), 'now a file');
      assert.equal(await readFile(join(dir, 'was-file/inside'), 'utf8'), 'ok');
      assert.equal(
        await readFile(join(dir, 'hl'), 'utf8'),
        'lower',
        'replacing a linked file does not write through',
      );
      assert.equal(await readFile(join(dir, 'shared'), 'utf8'), 'replaced');
    } finally {
      await cleanup();
    }
  });

  it('sets xattrs from PAX records including binary security.capability', {
    skip: !isRoot && 'needs root',
  }, async () => {
    const { dir, cleanup } = await tempDir('xattr');
    try {
      const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
      const tar = await buildTar([
        {
          name: 'ping',
          body: 'bin',
          mode: 0o755,
          xattrs: new Map([
            ['security.capability', cap],
            ['user.k', Buffer.from('v')],
          ]),
        },
      ]);
      const result = await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
      assert.deepEqual(result.warnings, []);
      const dump = execFileSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', join(dir, 'ping')], {
        encoding: 'utf8',
      });
      assert.match(dump, /security\.capability=0x0100000200200000000000000000000000000000/);
      assert.match(dump, /user\.k=0x76/);
    } finally {
      await cleanup();
    }
  });

  it('reads archives written by GNU tar (PAX, long names, hardlinks)', async () => {
    const src = await tempDir('gnu-src');
    const { dir, cleanup } = await tempDir('gnu-dst');
    try {
      const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
      await mkdir(join(src.dir, 'd'.repeat(120)));
      await writeFile(join(src.dir, long), 'long');
      await writeFile(join(src.dir, 'ünïcode'), 'u');
      execFileSync('ln', [join(src.dir, 'ünïcode'), join(src.dir, 'hard')]);
      for (const format of ['pax', 'gnu']) {
        const tar = execFileSync('tar', ['-C', src.dir, `--format=${format}`, '-cf', '-', '.']);
        await applyLayer(streamOf(tar), { root: dir, ownership: testOwnership() });
        assert.equal(await readFile(join(dir, long), 'utf8'), 'long');
        assert.equal((await lstat(join(dir, 'hard'))).ino, (await lstat(join(dir, 'ünïcode'))).ino);
      }
    } finally {
      await cleanup();
      await src.cleanup();
    }
  });
});
