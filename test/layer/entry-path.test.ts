/** RootedResolver: prefix caching within one apply, and invalidation after removals. */
import assert from 'node:assert/strict';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RootedResolver } from '../../src/layer/entry-path.js';
import { tempDir } from './tar-fixtures.js';

describe('RootedResolver', () => {
  it('creates missing parents once and serves later lookups of them and their prefixes from its cache', async () => {
    const { dir, cleanup } = await tempDir('resolver');
    try {
      const resolver = new RootedResolver(dir);
      const created: string[] = [];
      const onCreate = (path: string) => created.push(path);
      assert.equal(resolver.resolveDirSync('x', ['a', 'b', 'c'], true, onCreate), join(dir, 'a/b/c'));
      assert.deepEqual(created, [join(dir, 'a'), join(dir, 'a/b'), join(dir, 'a/b/c')]);
      assert.equal(resolver.resolveDirSync('x', ['a', 'b', 'd'], true, onCreate), join(dir, 'a/b/d'));
      assert.equal(created.length, 4, 'only the new leaf was created');
      // Behind the resolver's back (not allowed during an apply): the cache still answers...
      await rm(join(dir, 'a'), { recursive: true });
      assert.equal(resolver.resolveDirSync('x', ['a', 'b'], false), join(dir, 'a/b'));
      // ...until it is told that something was removed.
      resolver.invalidate();
      assert.equal(resolver.resolveDirSync('x', ['a', 'b'], false), undefined);
    } finally {
      await cleanup();
    }
  });

  it('resolves through symlinks inside the root after an invalidation', async () => {
    const { dir, cleanup } = await tempDir('resolver-link');
    try {
      const resolver = new RootedResolver(dir);
      assert.equal(resolver.resolveDirSync('x', ['s', 'in'], true), join(dir, 's/in'));
      await rm(join(dir, 's'), { recursive: true });
      await mkdir(join(dir, 'target'));
      await symlink('/target', join(dir, 's'));
      resolver.invalidate();
      assert.equal(resolver.resolveDirSync('x', ['s', 'in'], true), join(dir, 'target/in'));
      assert.equal(await resolver.resolveDir('x', ['s'], false), join(dir, 'target'));
    } finally {
      await cleanup();
    }
  });
});
