import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { link, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { applyLayer } from '../../src/layer/apply.js';
import { diffToLayer } from '../../src/layer/diff/diff-to-layer.js';
import { readTar } from '../../src/layer/tar/reader.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { tempDir, testOwnership } from './tar-fixtures.js';

const isRoot = process.getuid?.() === 0;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listing(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of readTar(Readable.from([tar]))) {
    const h = entry.header;
    names.push(`${h.type} ${h.name}${h.linkname ? ` -> ${h.linkname}` : ''}`);
  }
  return names;
}

function gnuList(tar: Buffer): string[] {
  return execFileSync('tar', ['-tvf', '-', '--numeric-owner'], { input: tar, encoding: 'utf8' })
    .trim()
    .split('\n');
}

describe('diffToLayer compare mode', () => {
  it('emits additions, changes, deletions and hardlinks in sorted order with parents', async () => {
    const { dir, cleanup } = await tempDir('diff');
    try {
      const lower = join(dir, 'lower');
      const upper = join(dir, 'upper');
      await mkdir(join(lower, 'etc/conf.d'), { recursive: true });
      await mkdir(join(lower, 'var/old'), { recursive: true });
      await writeFile(join(lower, 'etc/conf.d/same'), 'same');
      await writeFile(join(lower, 'etc/conf.d/edit'), 'before');
      await writeFile(join(lower, 'etc/hosts'), 'lower hosts');
      await writeFile(join(lower, 'gone'), 'x');
      await writeFile(join(lower, 'var/old/f'), 'x');
      execFileSync('cp', ['-a', lower, upper]);
      await writeFile(join(upper, 'etc/conf.d/edit'), 'after!');
      await writeFile(join(upper, 'etc/hosts'), 'injected by executor');
      await rm(join(upper, 'gone'));
      await rm(join(upper, 'var/old'), { recursive: true });
      await mkdir(join(upper, 'usr/bin'), { recursive: true });
      await writeFile(join(upper, 'usr/bin/tool'), 'tool', { mode: 0o755 });
      await link(join(upper, 'usr/bin/tool'), join(upper, 'usr/bin/tool2'));
      await symlink('tool', join(upper, 'usr/bin/alias'));
      await writeFile(join(upper, `${'n'.repeat(120)}-ünï`), 'long');
      const { stream, result } = diffToLayer({
        upper,
        lower: [lower],
        mode: 'compare',
        ownership: testOwnership(),
        exclude: ['/etc/hosts'],
        sourceDateEpoch: 1_000_000,
      });
      const tar = await collect(stream);
      const { digest, size } = await result;
      assert.equal(digest, sha256Digest(tar));
      assert.equal(size, tar.length);
      assert.deepEqual(await listing(tar), [
        'file .wh.gone',
        'directory etc/',
        'directory etc/conf.d/',
        'file etc/conf.d/edit',
        `file ${'n'.repeat(120)}-ünï`,
        'directory usr/',
        'directory usr/bin/',
        'symlink usr/bin/alias -> tool',
        'file usr/bin/tool',
        'hardlink usr/bin/tool2 -> usr/bin/tool',
        'directory var/',
        'file var/.wh.old',
      ]);
      const gnu = gnuList(tar);
      assert.equal(gnu.length, 12);
      assert.match(gnu[3]!, /^-rw-r--r-- 0\/0 +6 1970-01-12 \d\d:46 etc\/conf\.d\/edit$/);
      assert.match(gnu[9]!, /^hrwxr-xr-x 0\/0 +0 .* usr\/bin\/tool2 link to usr\/bin\/tool$/);
      const again = await collect(
        diffToLayer({
          upper,
          lower: [lower],
          mode: 'compare',
          ownership: testOwnership(),
          exclude: ['etc/hosts'],
          sourceDateEpoch: 1_000_000,
        }).stream,
      );
      assert.ok(again.equals(tar), 'the same tree gives the same bytes');
    } finally {
      await cleanup();
    }
  });

  it('round-trips: applying the diff to the lower reproduces the upper', async () => {
    const { dir, cleanup } = await tempDir('roundtrip');
    try {
      const lower = join(dir, 'lower');
      const upper = join(dir, 'upper');
      await mkdir(join(lower, 'a/b'), { recursive: true });
      await writeFile(join(lower, 'a/b/c'), 'c');
      await writeFile(join(lower, 'a/keep'), 'k');
      execFileSync('cp', ['-a', lower, upper]);
      await rm(join(upper, 'a/b'), { recursive: true });
      await writeFile(join(upper, 'a/b'), 'now a file');
      await writeFile(join(upper, 'new'), 'n', { mode: 0o4755 });
      await utimes(join(upper, 'new'), 1234, 1234);
      const tar = await collect(
        diffToLayer({ upper, lower: [lower], mode: 'compare', ownership: testOwnership() }).stream,
      );
      await applyLayer(Readable.from([tar]), { root: lower, ownership: testOwnership() });
      // Tars carry whole seconds; the root directory itself is not part of a layer.
      const dump = (root: string) =>
        execFileSync('find', ['.', '-mindepth', '1', '-printf', '%p %y %m %s %T@\\n'], {
          cwd: root,
          encoding: 'utf8',
        })
          .split('\n')
          .map((line) => line.replace(/ (\d+)\.\d+$/, ' $1'))
          .sort();
      assert.deepEqual(dump(lower), dump(upper));
    } finally {
      await cleanup();
    }
  });
});

describe('diffToLayer overlay-upper mode', () => {
  it('turns overlay whiteouts and opaque markers into .wh. entries', {
    skip: !isRoot && 'needs root for mknod / trusted xattrs',
  }, async () => {
    const { dir, cleanup } = await tempDir('overlay');
    try {
      const upper = join(dir, 'upper');
      await mkdir(join(upper, 'opaque'), { recursive: true });
      await writeFile(join(upper, 'opaque/new'), 'n');
      execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'opaque')]);
      execFileSync('mknod', [join(upper, 'deleted'), 'c', '0', '0']);
      await writeFile(join(upper, 'xdeleted'), '');
      execFileSync('setfattr', ['-n', 'user.overlay.whiteout', '-v', 'y', join(upper, 'xdeleted')]);
      await writeFile(join(upper, 'cap'), 'c');
      execFileSync('setfattr', [
        '-n',
        'security.capability',
        '-v',
        '0x0100000200200000000000000000000000000000',
        join(upper, 'cap'),
      ]);
      const { stream, result } = diffToLayer({ upper, mode: 'overlay-upper', ownership: testOwnership() });
      const tar = await collect(stream);
      await result;
      assert.deepEqual(await listing(tar), [
        'file .wh.deleted',
        'file .wh.xdeleted',
        'file cap',
        'directory opaque/',
        'file opaque/.wh..wh..opq',
        'file opaque/new',
      ]);
      for await (const entry of readTar(Readable.from([tar]))) {
        if (entry.header.name === 'cap')
          assert.equal(entry.header.xattrs.get('security.capability')?.length, 20);
        if (entry.header.name === 'opaque/')
          assert.equal(entry.header.xattrs.size, 0, 'overlay xattrs are not exported');
      }
      assert.equal(gnuList(tar).length, 6);
    } finally {
      await cleanup();
    }
  });
});
