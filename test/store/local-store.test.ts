import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { asDigest, sha256Digest } from '../../src/oci/digest.js';
import { type LocalStore, openStore } from '../../src/store/local-store.js';
import { tempRoot, tempStore } from './store-fixtures.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function code(expected: string) {
  return (error: unknown) => isKilnError(error) && error.code === expected;
}

describe('LocalStore', () => {
  let store: LocalStore;
  let cleanup: () => void;
  beforeEach(async () => ({ store, cleanup } = await tempStore()));
  afterEach(() => cleanup());

  it('creates an OCI layout and a versioned kiln-store.json', () => {
    const layout = JSON.parse(readFileSync(join(store.root, 'oci-layout'), 'utf8'));
    assert.deepEqual(layout, { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(store.root, 'index.json'), 'utf8'));
    assert.equal(index.schemaVersion, 2);
    assert.deepEqual(index.manifests, []);
    assert.deepEqual(JSON.parse(readFileSync(store.paths.versionFile, 'utf8')), { version: 1 });
  });

  it('writes a streamed blob to blobs/<alg>/<hex> and reads it back verified', async () => {
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const info = await store.writeBlob(Readable.from(parts));
    assert.equal(info.digest, sha256Digest('hello world'));
    assert.equal(info.size, 11);
    const hex = info.digest.slice('sha256:'.length);
    assert.equal(readFileSync(join(store.root, 'blobs', 'sha256', hex), 'utf8'), 'hello world');
    assert.equal((await collect(await store.openBlob(info.digest))).toString(), 'hello world');
    assert.equal((await store.readBlob(info.digest)).toString(), 'hello world');
    assert.deepEqual(await store.statBlob(info.digest), info);
    assert.equal(await store.hasBlob(info.digest), true);
    assert.deepEqual(readdirSync(store.paths.tmpDir), []);
  });

  it('refuses content that does not match the expected digest or size and leaves nothing', async () => {
    const digest = sha256Digest('expected');
    await assert.rejects(
      store.writeBlob(Buffer.from('other'), { expected: { digest } }),
      code('E_DIGEST_MISMATCH'),
    );
    await assert.rejects(
      store.writeBlob(Readable.from([Buffer.from('expected')]), { expected: { digest, size: 3 } }),
      code('E_DIGEST_MISMATCH'),
    );
    assert.equal(await store.hasBlob(digest), false);
    assert.equal(await store.hasBlob(sha256Digest('other')), false);
    assert.deepEqual(readdirSync(store.paths.tmpDir), []);
  });

  it('accepts matching expected content and enforces maxSize', async () => {
    const digest = sha256Digest('expected');
    const info = await store.writeBlob(Readable.from([Buffer.from('expe'), Buffer.from('cted')]), {
      expected: { digest, size: 8 },
    });
    assert.deepEqual(info, { digest, size: 8 });
    await assert.rejects(
      store.writeBlob(Readable.from([Buffer.alloc(100)]), { maxSize: 10 }),
      code('E_TOO_LARGE'),
    );
  });

  it('skips a present blob without reading the source', async () => {
    const digest = (await store.writeBlob(Buffer.from('abc'))).digest;
    let pulled = false;
    const source = new Readable({
      read() {
        pulled = true;
        this.push(null);
      },
    });
    const info = await store.writeBlob(source, { expected: { digest, size: 3 } });
    assert.deepEqual(info, { digest, size: 3 });
    assert.equal(pulled, false);
  });

  it('detects a corrupt stored blob when reading', async () => {
    const { digest } = await store.writeBlob(Buffer.from('original'));
    writeFileSync(store.blobPath(digest), 'tampered');
    await assert.rejects(store.readBlob(digest), code('E_DIGEST_MISMATCH'));
    await assert.rejects(collect(await store.openBlob(digest)), code('E_DIGEST_MISMATCH'));
  });

  it('repairs a truncated stored blob when the content is written again', async () => {
    const { digest } = await store.writeBlob(Buffer.from('complete content'));
    writeFileSync(store.blobPath(digest), 'trunc');
    const info = await store.writeBlob(Buffer.from('complete content'));
    assert.deepEqual(info, { digest, size: 16 });
    assert.equal((await store.readBlob(digest)).toString(), 'complete content');
  });

  it('reports missing blobs and oversized documents', async () => {
    const missing = asDigest(`sha256:${'0'.repeat(64)}`);
    await assert.rejects(store.openBlob(missing), code('E_NOT_FOUND'));
    assert.equal(await store.statBlob(missing), undefined);
    const { digest } = await store.writeBlob(Buffer.alloc(64));
    await assert.rejects(store.readBlob(digest, 10), code('E_TOO_LARGE'));
  });

  it('aborts a write through the signal and leaves no temp file', async () => {
    const controller = new AbortController();
    async function* slow() {
      yield Buffer.from('a');
      controller.abort();
      yield Buffer.from('b');
    }
    await assert.rejects(
      store.writeBlob(Readable.from(slow()), { signal: controller.signal }),
      code('E_ABORTED'),
    );
    assert.deepEqual(readdirSync(store.paths.tmpDir), []);
  });

  it('maps filesystem failures to E_STORE', async () => {
    rmSync(store.paths.tmpDir, { recursive: true });
    writeFileSync(store.paths.tmpDir, 'not a directory');
    await assert.rejects(store.writeBlob(Buffer.from('x')), code('E_STORE'));
    await assert.rejects(
      store.updateIndex((index) => ({ ...index, manifests: [] })),
      code('E_STORE'),
    );
  });

  it('records compressed variants and forgets them when the blob is gone', async () => {
    const diffID = (await store.writeBlob(Buffer.from('tar bytes'))).digest;
    const gz = await store.writeBlob(Buffer.from('pretend gzip'));
    assert.equal(await store.getCompressed(diffID, 'gzip'), undefined);
    await store.recordCompressed({ diffID, algorithm: 'gzip', blob: gz });
    assert.deepEqual(await store.getCompressed(diffID, 'gzip'), gz);
    assert.equal(await store.getCompressed(diffID, 'zstd'), undefined);
    await assert.rejects(
      store.recordCompressed({ diffID, algorithm: 'zstd', blob: { digest: sha256Digest('nope'), size: 4 } }),
      code('E_NOT_FOUND'),
    );
  });
});

describe('openStore', () => {
  it('refuses a store of another format version', async () => {
    const root = tempRoot();
    try {
      writeFileSync(join(root.dir, 'kiln-store.json'), '{"version":2}');
      await assert.rejects(openStore({ root: root.dir }), code('E_STORE'));
    } finally {
      root.cleanup();
    }
  });

  it('reports a corrupt index.json as E_STORE', async () => {
    const { store, cleanup } = await tempStore();
    try {
      writeFileSync(store.paths.indexFile, '{"schemaVersion":2}');
      await assert.rejects(store.readIndex(), code('E_STORE'));
    } finally {
      cleanup();
    }
  });
});
