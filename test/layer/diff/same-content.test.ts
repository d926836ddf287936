/** Byte comparison used by compare-mode diffs. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sameContent } from '../../../src/layer/diff/same-content.js';
import { tempDir } from '../tar-fixtures.js';

describe('sameContent', () => {
  it('tells equal from different files of every size around its chunk size', async () => {
    const { dir, cleanup } = await tempDir('same');
    try {
      for (const size of [0, 1, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 600_000]) {
        const data = randomBytes(size);
        const a = join(dir, `a${size}`);
        const b = join(dir, `b${size}`);
        await writeFile(a, data);
        await writeFile(b, data);
        assert.equal(await sameContent(a, b), true, `equal ${size}`);
        assert.equal(await sameContent(a, b, size), true, `equal ${size} with its size`);
        assert.equal(await sameContent(a, b, 0), true, `equal ${size} with a wrong size`);
        if (size > 0) {
          const changed = Buffer.from(data);
          changed[size - 1] = (changed[size - 1]! + 1) % 256;
          await writeFile(b, changed);
          assert.equal(await sameContent(a, b), false, `last byte differs ${size}`);
        }
        await writeFile(b, Buffer.concat([data, Buffer.from('x')]));
        assert.equal(await sameContent(a, b), false, `longer ${size}`);
        assert.equal(await sameContent(b, a), false, `shorter ${size}`);
        assert.equal(await sameContent(a, b, size), false, `longer ${size} with the first size`);
        assert.equal(await sameContent(b, a, size), false, `shorter ${size} with the second size`);
      }
    } finally {
      await cleanup();
    }
  });

  it('does not follow a symlink', async () => {
    const { dir, cleanup } = await tempDir('same-link');
    try {
      await writeFile(join(dir, 'a'), 'x');
      await symlink(join(dir, 'a'), join(dir, 'link'));
      await assert.rejects(sameContent(join(dir, 'link'), join(dir, 'a')), { code: 'ELOOP' });
    } finally {
      await cleanup();
    }
  });
});
