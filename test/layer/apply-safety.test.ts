/** Regression tests for hostile archives: each crafted tar must fail cleanly or stay inside the root. */
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isKilnError } from '../../src/errors.js';
import { type ApplyOptions, applyLayer } from '../../src/layer/apply.js';
import { encodePaxRecord } from '../../src/layer/tar/pax.js';
import {
  buildTar,
  END,
  type FixtureEntry,
  padded,
  rawBlock,
  streamOf,
  tempDir,
  testOwnership,
} from './tar-fixtures.js';

interface Sandbox {
  readonly root: string;
  readonly outside: string;
}

/** Runs `body` with a root and a sentinel directory beside it, then checks the sentinel is untouched. */
async function inSandbox(body: (box: Sandbox) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('safety');
  const box = { root: join(dir, 'root'), outside: join(dir, 'outside') };
  try {
    await mkdir(box.root);
    await mkdir(box.outside);
    await writeFile(join(box.outside, 'secret'), 'secret', { mode: 0o600 });
    await body(box);
    assert.deepEqual(await readdir(box.outside), ['secret'], 'nothing landed outside the root');
    assert.equal(await readFile(join(box.outside, 'secret'), 'utf8'), 'secret');
    assert.equal((await stat(join(box.outside, 'secret'))).mode & 0o7777, 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ['outside', 'root']);
  } finally {
    await cleanup();
  }
}

async function apply(box: Sandbox, tar: Buffer, extra: Partial<ApplyOptions> = {}) {
  return applyLayer(streamOf(tar), { root: box.root, ownership: testOwnership(), ...extra });
}

async function refused(
  box: Sandbox,
  tar: Buffer,
  code: string,
  mention: string,
  extra: Partial<ApplyOptions> = {},
) {
  await assert.rejects(apply(box, tar, extra), (error: unknown) => {
    assert.ok(isKilnError(error), `expected a KilnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(
      error.message.includes(mention),
      `message ${JSON.stringify(error.message)} should name ${mention}`,
    );
    return true;
  });
}

const tar = (entries: readonly FixtureEntry[]) => buildTar(entries);

describe('applyLayer against hostile archives', () => {
  it('refuses ".." that climbs out of the root', () =>
    inSandbox(async (box) => {
      await refused(
        box,
        await tar([{ name: '../outside/pwned', body: 'x' }]),
        'E_UNSAFE_ARCHIVE',
        '../outside/pwned',
      );
      await refused(
        box,
        await tar([{ name: 'a/../../pwned', body: 'x' }]),
        'E_UNSAFE_ARCHIVE',
        'a/../../pwned',
      );
    }));

  it('keeps harmless ".." inside the root', () =>
    inSandbox(async (box) => {
      await apply(box, await tar([{ name: 'a/../b', body: 'x' }]));
      assert.equal(await readFile(join(box.root, 'b'), 'utf8'), 'x');
    }));

  it('neutralises absolute names to root-relative', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([
          { name: `${box.outside}/pwned`, body: 'x' },
          { name: '/etc/abs', body: 'y' },
        ]),
      );
      assert.equal(await readFile(join(box.root, box.outside, 'pwned'), 'utf8'), 'x');
      assert.equal(await readFile(join(box.root, 'etc/abs'), 'utf8'), 'y');
    }));

  it('resolves an absolute symlink in a parent inside the root', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([
          { name: 'evil', type: 'symlink', linkname: box.outside },
          { name: 'evil/pwned', body: 'x' },
        ]),
      );
      assert.equal(await readFile(join(box.root, box.outside, 'pwned'), 'utf8'), 'x');
    }));

  it('resolves a relative symlink climbing with ".." at the root', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([
          { name: 'up', type: 'symlink', linkname: '../../../..' },
          { name: 'up/outside/pwned', body: 'x' },
        ]),
      );
      assert.equal(await readFile(join(box.root, 'outside/pwned'), 'utf8'), 'x');
    }));

  it('resolves a pre-existing symlink in the lower layer inside the root', () =>
    inSandbox(async (box) => {
      await symlink(box.outside, join(box.root, 'lowerlink'));
      await apply(box, await tar([{ name: 'lowerlink/pwned', body: 'x' }]));
      assert.equal(await readFile(join(box.root, box.outside, 'pwned'), 'utf8'), 'x');
    }));

  it('replaces a symlink with a file instead of writing through it', () =>
    inSandbox(async (box) => {
      await symlink(join(box.outside, 'secret'), join(box.root, 'target'));
      await apply(box, await tar([{ name: 'target', body: 'overwritten?' }]));
      assert.equal(await readFile(join(box.root, 'target'), 'utf8'), 'overwritten?');
      assert.ok((await lstat(join(box.root, 'target'))).isFile());
    }));

  it('refuses a hardlink to an absolute outside path', () =>
    inSandbox(async (box) => {
      const t = await tar([{ name: 'hl', type: 'hardlink', linkname: join(box.outside, 'secret') }]);
      await refused(box, t, 'E_UNSAFE_ARCHIVE', '"hl"');
    }));

  it('refuses a hardlink climbing with ".."', () =>
    inSandbox(async (box) => {
      await refused(
        box,
        await tar([{ name: 'hl', type: 'hardlink', linkname: '../outside/secret' }]),
        'E_UNSAFE_ARCHIVE',
        'hl',
      );
    }));

  it('refuses a hardlink through a symlink that points outside', () =>
    inSandbox(async (box) => {
      const t = await tar([
        { name: 's', type: 'symlink', linkname: box.outside },
        { name: 'hl', type: 'hardlink', linkname: 's/secret' },
      ]);
      await refused(box, t, 'E_UNSAFE_ARCHIVE', 'hl');
    }));

  it('refuses a hardlink to a nonexistent target or a directory', () =>
    inSandbox(async (box) => {
      await refused(
        box,
        await tar([{ name: 'hl', type: 'hardlink', linkname: 'nope' }]),
        'E_UNSAFE_ARCHIVE',
        'no such target',
      );
      const t = await tar([
        { name: 'd/', type: 'directory' },
        { name: 'hl', type: 'hardlink', linkname: 'd' },
      ]);
      await refused(box, t, 'E_UNSAFE_ARCHIVE', 'directory');
    }));

  it('hardlinks to a symlink itself, never to what it points at', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([
          { name: 's', type: 'symlink', linkname: join(box.outside, 'secret') },
          { name: 'hl', type: 'hardlink', linkname: 's' },
        ]),
      );
      assert.ok((await lstat(join(box.root, 'hl'))).isSymbolicLink());
      assert.equal((await stat(join(box.outside, 'secret'))).nlink, 1);
    }));

  it('refuses whiteouts of "..", "." and the root', () =>
    inSandbox(async (box) => {
      await refused(box, await tar([{ name: '.wh...' }]), 'E_UNSAFE_ARCHIVE', '.wh...');
      await refused(box, await tar([{ name: 'a/.wh..' }]), 'E_UNSAFE_ARCHIVE', 'a/.wh..');
      await refused(box, await tar([{ name: '.wh.' }]), 'E_UNSAFE_ARCHIVE', '.wh.');
      await refused(box, await tar([{ name: '../.wh.outside' }]), 'E_UNSAFE_ARCHIVE', '../.wh.outside');
    }));

  it('keeps whiteouts through symlinks inside the root', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([{ name: 's', type: 'symlink', linkname: box.outside }, { name: 's/.wh.secret' }]),
      );
      await apply(box, await tar([{ name: 's/.wh..wh..opq' }]));
    }));

  it('caps the size of one entry', () =>
    inSandbox(async (box) => {
      const t = await tar([{ name: 'big', body: Buffer.alloc(4096) }]);
      await refused(box, t, 'E_TOO_LARGE', 'big', { limits: { maxEntrySize: 1024 } });
    }));

  it('caps the number of entries', () =>
    inSandbox(async (box) => {
      const t = await tar(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
      await refused(box, t, 'E_TOO_LARGE', 'more than 5 entries', { limits: { maxEntries: 5 } });
    }));

  it('stops a gzip bomb at the total size cap', () =>
    inSandbox(async (box) => {
      const bomb = gzipSync(await tar([{ name: 'zeros', body: Buffer.alloc(32 * 1024 * 1024) }]));
      assert.ok(bomb.length < 64 * 1024);
      await refused(box, bomb, 'E_TOO_LARGE', 'decompression bomb', {
        limits: { maxTotalSize: 1024 * 1024 },
      });
    }));

  it('refuses too long names and components', () =>
    inSandbox(async (box) => {
      await refused(
        box,
        await tar([{ name: `${'a/'.repeat(3000)}f`, body: 'x' }]),
        'E_UNSAFE_ARCHIVE',
        'bytes long',
      );
      await refused(
        box,
        await tar([{ name: `d/${'x'.repeat(300)}`, body: 'x' }]),
        'E_UNSAFE_ARCHIVE',
        '255 bytes',
      );
    }));

  it('refuses NUL bytes in names', () =>
    inSandbox(async (box) => {
      await refused(box, await tar([{ name: 'evil\0/../../x', body: 'x' }]), 'E_UNSAFE_ARCHIVE', 'NUL');
    }));

  it('refuses PAX headers with bogus values', () =>
    inSandbox(async (box) => {
      const pax = (records: Buffer) =>
        Buffer.concat([
          rawBlock({ name: 'PaxHeader', typeflag: 'x', size: records.length }),
          padded(records),
          rawBlock({ name: 'f' }),
          END,
        ]);
      await refused(box, pax(encodePaxRecord('size', 'abc')), 'E_UNSAFE_ARCHIVE', 'size');
      await refused(box, pax(encodePaxRecord('uid', '-1')), 'E_UNSAFE_ARCHIVE', 'uid');
      await refused(box, pax(encodePaxRecord('mtime', '1e99')), 'E_UNSAFE_ARCHIVE', 'mtime');
      await refused(box, pax(Buffer.from('999 path=x\n')), 'E_UNSAFE_ARCHIVE', 'PAX record');
      await refused(box, pax(Buffer.from('5 a\n')), 'E_UNSAFE_ARCHIVE', 'PAX record');
      await refused(box, pax(encodePaxRecord('GNU.sparse.map', '0,1')), 'E_UNSAFE_ARCHIVE', 'sparse');
    }));

  it('refuses corrupt headers and unsupported entry types', () =>
    inSandbox(async (box) => {
      const bad = rawBlock({ name: 'f' });
      bad[0] = 0x67; // change the name without fixing the checksum
      await refused(box, Buffer.concat([bad, END]), 'E_UNSAFE_ARCHIVE', 'checksum');
      await refused(
        box,
        Buffer.concat([rawBlock({ name: 'vol', typeflag: 'V' }), END]),
        'E_UNSAFE_ARCHIVE',
        'unsupported tar entry type',
      );
      const octal = rawBlock({ name: 'f' });
      octal.write('9', 124, 'latin1'); // size field with a non-octal digit, checksum fixed below
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : octal[i]!;
      octal.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      await refused(box, Buffer.concat([octal, END]), 'E_UNSAFE_ARCHIVE', 'size');
    }));

  it('refuses a truncated archive and a truncated gzip stream', () =>
    inSandbox(async (box) => {
      const whole = await tar([{ name: 'f', body: Buffer.alloc(5000, 1) }]);
      await refused(box, whole.subarray(0, 2048), 'E_UNSAFE_ARCHIVE', 'truncated');
      await refused(box, whole.subarray(0, 300), 'E_UNSAFE_ARCHIVE', 'truncated');
      const gz = gzipSync(whole);
      await refused(box, gz.subarray(0, gz.length - 30), 'E_UNSAFE_ARCHIVE', 'gzip');
    }));

  it('refuses or skips device nodes when not allowed', () =>
    inSandbox(async (box) => {
      const t = await tar([{ name: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3, mode: 0o666 }]);
      await refused(box, t, 'E_UNSAFE_ARCHIVE', 'dev/null', { devices: 'refuse' });
      const result = await apply(box, t, { devices: 'skip' });
      assert.equal(result.warnings[0]?.kind, 'device-skipped');
      assert.equal(await lstat(join(box.root, 'dev/null')).catch(() => undefined), undefined);
    }));

  it('never applies a mode (setuid) through a symlink', () =>
    inSandbox(async (box) => {
      await apply(
        box,
        await tar([{ name: 'suid', type: 'symlink', linkname: join(box.outside, 'secret'), mode: 0o4777 }]),
      );
      assert.ok((await lstat(join(box.root, 'suid'))).isSymbolicLink());
    }));

  it('detects symlink loops', () =>
    inSandbox(async (box) => {
      const t = await tar([
        { name: 'a', type: 'symlink', linkname: 'b' },
        { name: 'b', type: 'symlink', linkname: 'a' },
        { name: 'a/file', body: 'x' },
      ]);
      await refused(box, t, 'E_UNSAFE_ARCHIVE', 'loop');
    }));

  it('refuses an entry below a regular file', () =>
    inSandbox(async (box) => {
      await refused(
        box,
        await tar([
          { name: 'f', body: 'x' },
          { name: 'f/x', body: 'y' },
        ]),
        'E_UNSAFE_ARCHIVE',
        'not a directory',
      );
    }));

  it('ignores xattrs that would forge owners or overlay state', () =>
    inSandbox(async (box) => {
      const forged = new Map([
        ['user.rootlesscontainers', Buffer.from([0x08, 0x00])],
        ['trusted.overlay.opaque', Buffer.from('y')],
      ]);
      const result = await apply(box, await tar([{ name: 'f', body: 'x', xattrs: forged }]));
      assert.deepEqual(
        result.warnings.map((w) => w.kind),
        ['xattr-ignored', 'xattr-ignored'],
      );
    }));
});
