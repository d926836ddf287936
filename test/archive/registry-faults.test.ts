import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyImage } from '../../src/archive/copy-image.js';
import { openDestination, openSource } from '../../src/archive/open-transport.js';
import { registryTransport } from '../../src/archive/registry-transport.js';
import { parseTransportSpec } from '../../src/archive/transport-spec.js';
import type { Digest } from '../../src/oci/digest.js';
import { headBlob } from '../../src/registry/blobs.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { headManifest } from '../../src/registry/manifests.js';
import { pushImage } from '../../src/registry/push.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { storeIn, type TestImage, taggedImage, workDir } from './archive-fixtures.js';
import { skopeoDigest } from './registry-helpers.js';

/** Copies `from` → `to` with the docker:// transport; fast retries. */
async function copy(from: string, to: string) {
  const context = {
    registry: registryTransport({
      client: async () => createRegistryClient({ retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 20 } }),
      chunkSize: 64 * 1024,
    }),
  };
  const src = await openSource(parseTransportSpec(from), context);
  try {
    return await copyImage({ src, dst: await openDestination(parseTransportSpec(to), context) });
  } finally {
    await src.close();
  }
}

describe('docker:// transport through a counting, misbehaving proxy', { skip: registrySkip() }, () => {
  let registry: TestRegistry;
  let other: TestRegistry;
  let proxy: FaultProxy;
  let cleanup: () => void;
  let store: LocalStore;
  let image: TestImage;

  before(async () => {
    registry = await startPlainRegistry();
    other = await startPlainRegistry();
    proxy = await startFaultProxy(registry.url);
    let dir: string;
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
    image = await taggedImage(store, 'example.com/faults:1', 'regtransport-faults', 3);
    const client = createRegistryClient();
    try {
      await pushImage(client, {
        repository: { registry: registry.host, repository: 'src/app' },
        store,
        digest: image.manifest.digest,
        tags: ['1'],
      });
    } finally {
      await client.close();
    }
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await other?.stop();
    cleanup?.();
  });

  it('same registry, another repository: every blob is mounted, none uploaded', async () => {
    proxy.clearFaults();
    const before = proxy.seen().length;
    const result = await copy(`docker://${proxy.host}/src/app:1`, `docker://${proxy.host}/mounted/app:1`);
    const requests = proxy.seen().slice(before);
    const blobCount = 1 + image.layers.length;
    assert.equal(result.blobsMounted, blobCount);
    assert.equal(result.blobsCopied, 0);
    const mounts = requests.filter((r) => r.startsWith('POST /v2/mounted/app/blobs/uploads/?mount='));
    assert.equal(mounts.length, blobCount);
    for (const mount of mounts) assert.match(mount, /from=src%2Fapp/);
    assert.deepEqual(
      requests.filter((r) => r.startsWith('PATCH ') || /^PUT \/v2\/[^ ]*\/blobs\/uploads\//.test(r)),
      [],
    );
    assert.deepEqual(
      requests.filter((r) => r.startsWith('GET /v2/src/app/blobs/')),
      [],
      'no blob bytes were read from the source',
    );
    assert.equal(await skopeoDigest(`${registry.host}/mounted/app:1`), image.manifest.digest);
  });

  it('a second copy to the same place finds every blob there and uploads nothing', async () => {
    const before = proxy.seen().length;
    const result = await copy(`docker://${proxy.host}/src/app:1`, `docker://${proxy.host}/mounted/app:1`);
    assert.equal(result.blobsSkipped, 1 + image.layers.length);
    assert.equal(result.blobsMounted + result.blobsCopied, 0);
    assert.equal(
      proxy
        .seen()
        .slice(before)
        .filter((r) => r.startsWith('POST ')).length,
      0,
    );
  });

  it('different registries: blobs stream through; broken and truncated transfers are retried afresh', async () => {
    proxy.clearFaults();
    proxy.addFault({
      method: 'GET',
      pathIncludes: '/blobs/sha256:',
      fault: { kind: 'reset-mid-body', afterBytes: 100 },
    });
    proxy.addFault({
      method: 'GET',
      pathIncludes: '/blobs/sha256:',
      fault: { kind: 'truncate', afterBytes: 50 },
    });
    const result = await copy(`docker://${proxy.host}/src/app:1`, `docker://${other.host}/streamed/app:1`);
    assert.equal(proxy.applied(), 2);
    assert.equal(result.blobsCopied, 1 + image.layers.length);
    assert.equal(result.blobsMounted, 0);
    assert.equal(await skopeoDigest(`${other.host}/streamed/app:1`), image.manifest.digest);
  });

  it('a blob that keeps arriving corrupted fails the copy and nothing is tagged or stored', async () => {
    proxy.clearFaults();
    const victim = image.layers[0]!;
    proxy.addFault({
      method: 'GET',
      pathIncludes: victim.digest,
      fault: { kind: 'corrupt', offset: 3 },
      times: 50,
    });
    await assert.rejects(
      copy(`docker://${proxy.host}/src/app:1`, `docker://${other.host}/corrupt/app:1`),
      (error: { code?: string }) => {
        assert.equal(error.code, 'E_DIGEST_MISMATCH', String(error));
        return true;
      },
    );
    const client = createRegistryClient();
    try {
      const repo = { registry: other.host, repository: 'corrupt/app' };
      assert.equal(await headManifest(client, { ...repo, tag: '1' }), undefined);
      assert.equal(await headBlob(client, repo, victim.digest as Digest), undefined);
    } finally {
      await client.close();
    }
  });
});
