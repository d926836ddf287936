import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.js';
import { CACHE_INDEX_VERSION, openCacheIndex } from '../../src/solver/cache-index.js';

const KEY = sha256Digest('key-1');
const RECORD = {
  diffID: sha256Digest('layer'),
  size: 2048,
  emptyLayer: false,
  createdAt: '2024-01-02T03:04:05.000Z',
};

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'kiln-cache-index-'));
  try {
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('cache index: a stored record reads back; an unknown key is a miss', () =>
  withRoot(async (root) => {
    const index = openCacheIndex(root);
    assert.equal(await index.get(KEY), undefined);
    await index.put(KEY, RECORD);
    assert.deepEqual(await index.get(KEY), RECORD);
    assert.equal(await openCacheIndex(root).get(sha256Digest('other')), undefined);
    assert.equal(index.dir, join(root, 'cache', 'index', `v${CACHE_INDEX_VERSION}`));
    assert.deepEqual(await readdir(index.dir), [`${KEY.slice(7)}.json`]);
  }));

test('cache index: a later put replaces the record atomically (no temp files left)', () =>
  withRoot(async (root) => {
    const index = openCacheIndex(root);
    await index.put(KEY, RECORD);
    const empty = { ...RECORD, emptyLayer: true };
    await Promise.all([index.put(KEY, empty), index.put(KEY, empty)]);
    assert.deepEqual(await index.get(KEY), empty);
    assert.deepEqual(await readdir(join(root, 'cache', 'tmp')), []);
  }));

test('cache index: damaged or foreign-version records are misses, not errors', () =>
  withRoot(async (root) => {
    const index = openCacheIndex(root);
    await index.put(KEY, RECORD);
    const file = join(index.dir, `${KEY.slice(7)}.json`);
    await writeFile(file, '{not json');
    assert.equal(await index.get(KEY), undefined);
    await writeFile(file, JSON.stringify({ ...RECORD, version: CACHE_INDEX_VERSION + 1 }));
    assert.equal(await index.get(KEY), undefined);
    await writeFile(file, JSON.stringify({ ...RECORD, version: CACHE_INDEX_VERSION, diffID: 'sha256:BAD' }));
    assert.equal(await index.get(KEY), undefined);
  }));

test('cache index: keys must be digests (no path tricks)', () =>
  withRoot(async (root) => {
    await assert.rejects(openCacheIndex(root).get('../../etc/passwd'), { code: 'E_INVALID_DIGEST' });
  }));
