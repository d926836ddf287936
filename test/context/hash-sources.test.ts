import assert from 'node:assert/strict';
import { chmod, chown, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  hashSources,
  hashSourcesDetailed,
  openBuildContext,
  type ResolveSourcesOptions,
  resolveSources,
} from '../../src/context/index.js';
import { makeTree, type TreeSpec, touch, withTempDir } from './fixtures.js';

const TREE: TreeSpec = {
  Dockerfile: 'FROM scratch\n',
  'app/main.js': 'console.log(1)\n',
  'app/lib/util.js': 'export {}\n',
  'app/link': { link: 'main.js' },
  'other/main.js': 'console.log(1)\n',
};

async function hashOf(
  dir: string,
  patterns: string[],
  options: ResolveSourcesOptions = {},
  cacheDir?: string,
) {
  const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
  const selection = await resolveSources(context, patterns, options);
  return hashSourcesDetailed(selection, cacheDir === undefined ? {} : { cacheDir, racyWindowMs: 0 });
}

test('same content with different mtimes and owners gives the same hash', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, TREE);
    const before = await hashOf(dir, ['app']);
    await touch(join(dir, 'app/main.js'), 1_000_000);
    await touch(join(dir, 'app/lib'), 2_000_000);
    if (process.getuid?.() === 0) await chown(join(dir, 'app/main.js'), 1234, 5678);
    const after = await hashOf(dir, ['app']);
    assert.equal(after.digest, before.digest);
    assert.equal(after.entries, 5);
  });
});

test('one byte changed, a permission change, a link target change each change the hash', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, TREE);
    const base = (await hashOf(dir, ['app'])).digest;
    await writeFile(join(dir, 'app/main.js'), 'console.log(2)\n');
    const content = (await hashOf(dir, ['app'])).digest;
    assert.notEqual(content, base);
    await chmod(join(dir, 'app/lib/util.js'), 0o755);
    const mode = (await hashOf(dir, ['app'])).digest;
    assert.notEqual(mode, content);
    await chmod(join(dir, 'app/lib'), 0o700);
    const dirMode = (await hashOf(dir, ['app'])).digest;
    assert.notEqual(dirMode, mode);
    const { unlink, symlink } = await import('node:fs/promises');
    await unlink(join(dir, 'app/link'));
    await symlink('lib/util.js', join(dir, 'app/link'));
    assert.notEqual((await hashOf(dir, ['app'])).digest, dirMode);
  });
});

test('paths and selection options are part of the key', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, TREE);
    const a = (await hashOf(dir, ['app/main.js'])).digest;
    const b = (await hashOf(dir, ['other/main.js'])).digest;
    assert.notEqual(a, b, 'different patterns');
    const parents = (await hashOf(dir, ['app/main.js'], { parents: true })).digest;
    assert.notEqual(parents, a);
    const excluded = (await hashOf(dir, ['app'], { excludes: ['lib'] })).digest;
    assert.notEqual(excluded, (await hashOf(dir, ['app'])).digest);
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    assert.equal(
      await hashSources(await resolveSources(context, ['app'])),
      (await hashOf(dir, ['app'])).digest,
    );
  });
});

test('content-hash cache: warm run reads nothing; cache file lives in the cache dir', async () => {
  await withTempDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    const cache = join(dir, 'cache');
    await makeTree(ctx, TREE);
    const cold = await hashOf(ctx, ['app'], {}, cache);
    assert.deepEqual(cold.cache, { hits: 0, misses: 2 });
    const warm = await hashOf(ctx, ['app'], {}, cache);
    assert.deepEqual(warm.cache, { hits: 2, misses: 0 });
    assert.equal(warm.digest, cold.digest);
    const files = await readdir(cache);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^content-hash-[0-9a-f]{32}\.json$/);
    assert.match(await readFile(join(cache, files[0]!), 'utf8'), /kiln\.content-hash-cache\.v1/);
  });
});

test('content-hash cache: same-size rewrite with the mtime put back is still detected (ctime)', async () => {
  await withTempDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    const cache = join(dir, 'cache');
    await makeTree(ctx, TREE);
    const file = join(ctx, 'app/main.js');
    await touch(file, 1_600_000_000);
    const first = await hashOf(ctx, ['app'], {}, cache);
    const mtime = (await stat(file, { bigint: true })).mtimeNs;
    await writeFile(file, 'console.log(9)\n'); // same size
    const { utimes } = await import('node:fs/promises');
    await utimes(file, 1_600_000_000, 1_600_000_000);
    assert.equal((await stat(file, { bigint: true })).mtimeNs, mtime);
    const second = await hashOf(ctx, ['app'], {}, cache);
    assert.notEqual(second.digest, first.digest);
    assert.equal(second.cache.misses, 1);
  });
});

test('content-hash cache: files modified within the racy window are not cached', async () => {
  await withTempDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    const cache = join(dir, 'cache');
    await makeTree(ctx, TREE);
    const run = async () => {
      const context = await openBuildContext({ source: { kind: 'dir', path: ctx } });
      return hashSourcesDetailed(await resolveSources(context, ['app']), {
        cacheDir: cache,
        racyWindowMs: 60_000,
      });
    };
    await run();
    assert.deepEqual((await run()).cache, { hits: 0, misses: 2 });
  });
});

test('content-hash cache: a corrupt cache file is ignored', async () => {
  await withTempDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    const cache = join(dir, 'cache');
    await makeTree(ctx, TREE);
    const cold = await hashOf(ctx, ['app'], {}, cache);
    const [name] = await readdir(cache);
    await writeFile(join(cache, name!), '{not json');
    const again = await hashOf(ctx, ['app'], {}, cache);
    assert.equal(again.digest, cold.digest);
    assert.equal(again.cache.misses, 2);
  });
});

test('a file swapped for a symlink after listing is refused, not followed', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, { ...TREE, outside: 'secret' });
    const { ContentHashCache } = await import('../../src/context/index.js');
    const { rm, symlink } = await import('node:fs/promises');
    const cache = ContentHashCache.inMemory(dir);
    await rm(join(dir, 'app/main.js'));
    await symlink('/etc/passwd', join(dir, 'app/main.js'));
    await assert.rejects(cache.digest('app/main.js'), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'E_CONTEXT');
      return true;
    });
  });
});
