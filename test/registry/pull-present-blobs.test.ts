/**
 * A pull fetches only what the store lacks: the requests a counting proxy sees in front of a real
 * registry show no GET for a blob already stored, and the progress events say which were skipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRegistryClient } from '../../src/registry/client.js';
import { type PullProgress, pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { blobDigest, type TempStore, type TestImage, tempStore, writeTestImage } from './fixtures.js';

const platform = { os: 'linux', architecture: 'amd64' } as const;

describe('pull skips blobs the store already has', { skip: registrySkip() }, () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let src: TempStore;
  let image: TestImage;

  before(async () => {
    registry = await startPlainRegistry();
    proxy = await startFaultProxy(registry.url);
    src = await tempStore();
    image = await writeTestImage(src.store, { layerSizes: [500, 3000, 7000] });
    const client = createRegistryClient();
    try {
      const repository = { registry: registry.host, repository: 'present/app' };
      await pushImage(client, { repository, store: src.store, digest: image.manifest.digest, tags: ['1'] });
    } finally {
      await client.close();
    }
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await src?.remove();
  });

  async function pullCounting(dst: TempStore) {
    const events: PullProgress[] = [];
    const before = proxy.seen().length;
    const client = createRegistryClient();
    try {
      await pullImage(client, {
        reference: { registry: proxy.host, repository: 'present/app', tag: '1' },
        store: dst.store,
        platform,
        onProgress: (event) => events.push(event),
      });
    } finally {
      await client.close();
    }
    const blobGets = proxy
      .seen()
      .slice(before)
      .filter((line) => line.startsWith('GET ') && line.includes('/blobs/'))
      .map((line) => line.slice(line.lastIndexOf('/') + 1));
    const skipped = events.filter((e) => e.kind === 'blob-skipped').map((e) => e.descriptor.digest);
    return { blobGets: blobGets.sort(), skipped: skipped.sort() };
  }

  test('only missing blobs are fetched; a second pull fetches none', async () => {
    const dst = await tempStore();
    try {
      const [kept, ...missing] = [image.layers[1]!, image.config, image.layers[0]!, image.layers[2]!];
      // Put one layer in the destination store beforehand (streamed from the source store).
      await dst.store.writeBlob(await src.store.openBlob(kept.digest), {
        expected: { digest: kept.digest, size: kept.size },
      });
      const first = await pullCounting(dst);
      assert.deepEqual(first.skipped, [kept.digest]);
      assert.deepEqual(first.blobGets, missing.map((d) => d.digest).sort());
      for (const d of [image.config, ...image.layers])
        assert.equal(await blobDigest(dst.store, d.digest), d.digest);

      const second = await pullCounting(dst);
      assert.deepEqual(second.blobGets, []);
      assert.deepEqual(second.skipped, [image.config, ...image.layers].map((d) => d.digest).sort());
    } finally {
      await dst.remove();
    }
  });
});
