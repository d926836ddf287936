import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { blobDigest, type TempStore, type TestImage, tempStore, writeTestImage } from './fixtures.js';

const platform = { os: 'linux', architecture: 'amd64' } as const;
const fastRetry = { retries: 4, baseDelayMs: 5, maxDelayMs: 50 };

describe('pulls through a misbehaving proxy', { skip: registrySkip() }, () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let src: TempStore;
  let image: TestImage;
  let client: RegistryClient;
  let dst: TempStore | undefined;
  const repo = () => ({ registry: proxy.host, repository: 'faults/app' });
  const bigLayer = () => image.layers[1]!;

  before(async () => {
    registry = await startPlainRegistry();
    proxy = await startFaultProxy(registry.url);
    src = await tempStore();
    image = await writeTestImage(src.store, { layerSizes: [300, 200_000] });
    const direct = createRegistryClient();
    try {
      await pushImage(direct, {
        repository: { registry: registry.host, repository: 'faults/app' },
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1'],
      });
    } finally {
      await direct.close();
    }
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await src?.remove();
  });
  afterEach(async () => {
    proxy.clearFaults();
    await client?.close();
    await dst?.remove();
    dst = undefined;
  });

  const pull = async () => {
    client = createRegistryClient({ retry: fastRetry });
    dst = await tempStore();
    return pullImage(client, { reference: { ...repo(), tag: '1' }, store: dst.store, platform });
  };

  const assertComplete = async () => {
    for (const blob of [image.config, ...image.layers]) {
      assert.equal(await blobDigest(dst!.store, blob.digest), blob.digest);
    }
  };

  test('a burst of 503s on the manifest and blobs is retried', async () => {
    proxy.addFault({ pathIncludes: '/manifests/', fault: { kind: 'status', status: 503 }, times: 2 });
    proxy.addFault({ pathIncludes: '/blobs/', fault: { kind: 'status', status: 500 }, times: 2 });
    await pull();
    assert.equal(proxy.applied(), 4);
    await assertComplete();
  });

  test('429 with Retry-After is honoured', async () => {
    proxy.addFault({
      pathIncludes: '/manifests/',
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
    });
    await pull();
    assert.equal(proxy.applied(), 1);
    await assertComplete();
  });

  test('a connection reset before the response is retried', async () => {
    proxy.addFault({ pathIncludes: bigLayer().digest, fault: { kind: 'reset' } });
    await pull();
    assert.equal(proxy.applied(), 1);
    await assertComplete();
  });

  test('a connection reset mid-blob restarts the download and the store keeps only good bytes', async () => {
    proxy.addFault({
      pathIncludes: bigLayer().digest,
      fault: { kind: 'reset-mid-body', afterBytes: 50_000 },
      times: 2,
    });
    await pull();
    assert.equal(proxy.applied(), 2);
    await assertComplete();
  });

  test('a truncated body is detected and fetched again', async () => {
    proxy.addFault({ pathIncludes: bigLayer().digest, fault: { kind: 'truncate', afterBytes: 1000 } });
    await pull();
    assert.equal(proxy.applied(), 1);
    await assertComplete();
  });

  test('wrong bytes are detected and fetched again', async () => {
    proxy.addFault({ pathIncludes: bigLayer().digest, fault: { kind: 'corrupt', offset: 12345 } });
    await pull();
    assert.equal(proxy.applied(), 1);
    await assertComplete();
  });

  test('persistently wrong bytes fail with E_DIGEST_MISMATCH and leave no blob behind', async () => {
    proxy.addFault({ pathIncludes: bigLayer().digest, fault: { kind: 'corrupt', offset: 7 }, times: 100 });
    await assert.rejects(pull(), { code: ErrorCode.DigestMismatch });
    assert.equal(await dst!.store.hasBlob(bigLayer().digest), false);
    assert.equal(proxy.applied(), fastRetry.retries + 1);
  });

  test('persistent 500s fail with E_REGISTRY_UNREACHABLE after the retries', async () => {
    proxy.addFault({ pathIncludes: '/manifests/', fault: { kind: 'status', status: 500 }, times: 100 });
    await assert.rejects(pull(), { code: ErrorCode.RegistryUnreachable });
    assert.equal(proxy.applied(), fastRetry.retries + 1);
  });

  test('chunked uploads PATCH each chunk and restart the upload after a failed chunk', async () => {
    const other = await writeTestImage(src.store, { layerSizes: [100_000] });
    const layer = other.layers[0]!;
    const chunkSize = 16 * 1024;
    proxy.addFault({ method: 'PATCH', fault: { kind: 'status', status: 500 }, times: 1 });
    client = createRegistryClient({ retry: fastRetry });
    const before = proxy.seen().length;
    await pushImage(client, {
      repository: repo(),
      store: src.store,
      digest: other.manifest.digest,
      tags: ['3'],
      chunkSize,
    });
    const patches = proxy
      .seen()
      .slice(before)
      .filter((line) => line.startsWith('PATCH '));
    // one failed PATCH, then a full run of chunks in a new session
    assert.equal(patches.length, 1 + Math.ceil(layer.size / chunkSize));
    dst = await tempStore();
    await pullImage(client, { reference: { ...repo(), tag: '3' }, store: dst.store, platform });
    assert.equal(await blobDigest(dst.store, layer.digest), layer.digest);
  });

  test('a push survives 5xx and resets on uploads', async () => {
    const other = await writeTestImage(src.store, { layerSizes: [150_000] });
    proxy.addFault({
      method: 'PUT',
      pathIncludes: '/blobs/uploads/',
      fault: { kind: 'status', status: 502 },
      times: 1,
    });
    proxy.addFault({ method: 'POST', pathIncludes: '/blobs/uploads/', fault: { kind: 'reset' }, times: 1 });
    client = createRegistryClient({ retry: fastRetry });
    await pushImage(client, {
      repository: repo(),
      store: src.store,
      digest: other.manifest.digest,
      tags: ['2'],
    });
    assert.equal(proxy.applied(), 2);
    dst = await tempStore();
    await pullImage(client, { reference: { ...repo(), tag: '2' }, store: dst.store, platform });
    assert.equal(await blobDigest(dst.store, other.layers[0]!.digest), other.layers[0]!.digest);
  });
});
