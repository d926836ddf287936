/** The single-id fallback (xattr ownership). Runs as root and as an unprivileged user. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { applyLayer } from '../../src/layer/apply.js';
import { diffToLayer } from '../../src/layer/diff/diff-to-layer.js';
import { xattrOwnership } from '../../src/layer/ownership.js';
import {
  decodeRootlessResource,
  encodeRootlessResource,
  NOOP_ID,
} from '../../src/layer/rootless-resource.js';
import { readTar } from '../../src/layer/tar/reader.js';
import { buildTar, tempDir } from './tar-fixtures.js';

async function owners(tar: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of readTar(tar)) {
    const h = entry.header;
    out[h.name] = `${h.uid}:${h.gid} ${h.mode.toString(8)}`;
  }
  return out;
}

describe('rootlesscontainers Resource encoding', () => {
  it('encodes as proto3 and decodes back', () => {
    assert.deepEqual(encodeRootlessResource({ uid: 0, gid: 0 }), Buffer.alloc(0));
    assert.deepEqual(
      encodeRootlessResource({ uid: 1000, gid: 5 }),
      Buffer.from([0x08, 0xe8, 0x07, 0x10, 0x05]),
    );
    assert.deepEqual(decodeRootlessResource(Buffer.from([0x08, 0xe8, 0x07, 0x10, 0x05])), {
      uid: 1000,
      gid: 5,
    });
    const noop = encodeRootlessResource({ uid: NOOP_ID, gid: 7 });
    assert.deepEqual(decodeRootlessResource(noop), { uid: NOOP_ID, gid: 7 });
    assert.deepEqual(decodeRootlessResource(Buffer.from([0x1a, 0x01, 0x41, 0x08, 0x02])), { uid: 2, gid: 0 });
    assert.throws(() => decodeRootlessResource(Buffer.from([0x08])), /malformed/);
  });
});

describe('xattr ownership strategy', () => {
  const layer = () =>
    buildTar([
      { name: 'home/', type: 'directory', uid: 1000, gid: 1000, mode: 0o750 },
      { name: 'home/user.txt', body: 'hi', uid: 1000, gid: 100, mode: 0o640 },
      { name: 'usr/bin/sudo', body: 'x', uid: 0, gid: 0, mode: 0o4755 },
      { name: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3, mode: 0o666 },
    ]);

  it('records owners in user.rootlesscontainers and reads them back in diffs', async () => {
    const { dir, cleanup } = await tempDir('rootless');
    try {
      const root = join(dir, 'root');
      execFileSync('mkdir', [root]);
      const strategy = xattrOwnership();
      const result = await applyLayer(Readable.from([await layer()]), { root, ownership: strategy });
      assert.deepEqual(
        result.warnings.map((w) => w.kind),
        ['device-skipped'],
      );
      const me = process.getuid!();
      const file = await lstat(join(root, 'home/user.txt'));
      assert.equal(file.uid, me, 'files stay owned by the current user');
      assert.equal(file.mode & 0o7777, 0o640);
      assert.equal((await lstat(join(root, 'usr/bin/sudo'))).mode & 0o7777, 0o4755);
      const dump = execFileSync(
        'getfattr',
        ['-h', '-n', 'user.rootlesscontainers', '-e', 'hex', join(root, 'home/user.txt')],
        {
          encoding: 'utf8',
        },
      );
      assert.match(dump, /user\.rootlesscontainers=0x08e8071064/);
      const { stream } = diffToLayer({
        upper: root,
        mode: 'compare',
        lower: [await emptyDir(dir)],
        ownership: strategy,
      });
      assert.deepEqual(await owners(stream), {
        'home/': '1000:1000 750',
        'home/user.txt': '1000:100 640',
        'usr/': '0:0 755',
        'usr/bin/': '0:0 755',
        'usr/bin/sudo': '0:0 4755',
        'dev/': '0:0 755',
      });
    } finally {
      await cleanup();
    }
  });

  it('records owners in a sidecar file when asked to', async () => {
    const { dir, cleanup } = await tempDir('sidecar');
    try {
      const root = join(dir, 'root');
      execFileSync('mkdir', [root]);
      const sidecar = join(dir, 'owners.jsonl');
      const strategy = xattrOwnership({ sidecar });
      await applyLayer(Readable.from([await layer()]), { root, ownership: strategy });
      assert.match(await readFile(sidecar, 'utf8'), /"path":"home\/user.txt","uid":1000,"gid":100/);
      const { stream } = diffToLayer({
        upper: root,
        mode: 'compare',
        lower: [await emptyDir(dir)],
        ownership: strategy,
      });
      const listed = await owners(stream);
      assert.equal(listed['home/user.txt'], '1000:100 640');
      assert.equal(listed['home/'], '1000:1000 750');
    } finally {
      await cleanup();
    }
  });
});

async function emptyDir(parent: string): Promise<string> {
  const path = join(parent, `empty-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkdir', ['-p', path]);
  return path;
}
