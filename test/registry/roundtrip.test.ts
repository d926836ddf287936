import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { headBlob } from '../../src/registry/blobs.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials/types.js';
import { getManifest, headManifest, putManifest } from '../../src/registry/manifests.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import {
  registrySkip,
  startBasicAuthRegistry,
  startPlainRegistry,
  startTlsRegistry,
  startTokenAuthRegistry,
  type TestRegistry,
} from '../harness/registry.js';
import { blobDigest, type TempStore, tempStore, writeTestImage, writeTestIndex } from './fixtures.js';

const linuxAmd64 = { os: 'linux', architecture: 'amd64' } as const;

describe('push and pull against a plain registry', { skip: registrySkip() }, () => {
  let registry: TestRegistry;
  let src: TempStore;
  let dst: TempStore;
  before(async () => {
    registry = await startPlainRegistry();
    src = await tempStore();
    dst = await tempStore();
  });
  after(async () => {
    await registry?.stop();
    await src?.remove();
    await dst?.remove();
  });

  test('a pushed image pulls back with identical blobs; a second push finds everything present', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [10, 70_000, 300_000] });
      const repo = { registry: registry.host, repository: 'kiln/app' };
      const outcomes: string[] = [];
      const pushed = await pushImage(client, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1.0', 'latest'],
        onProgress: (e) => e.kind === 'blob' && outcomes.push(e.outcome),
      });
      assert.equal(pushed.descriptor.digest, image.manifest.digest);
      assert.deepEqual(outcomes, ['uploaded', 'uploaded', 'uploaded', 'uploaded']);

      const head = await headManifest(client, { ...repo, tag: '1.0' });
      assert.equal(head?.digest, image.manifest.digest);

      const pulled = await pullImage(client, {
        reference: { ...repo, tag: 'latest' },
        store: dst.store,
        platform: linuxAmd64,
      });
      assert.equal(pulled.manifest.digest, image.manifest.digest);
      assert.equal(pulled.root.digest, image.manifest.digest);
      for (const layer of image.layers) {
        assert.equal(await blobDigest(dst.store, layer.digest), layer.digest);
      }
      assert.equal(await blobDigest(dst.store, image.config.digest), image.config.digest);

      const again: string[] = [];
      await pushImage(client, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1.0'],
        onProgress: (e) => e.kind === 'blob' && again.push(e.outcome),
      });
      assert.deepEqual(again, ['exists', 'exists', 'exists', 'exists']);
    } finally {
      await client.close();
    }
  });

  test('pull by digest verifies the manifest; unknown tags and repos are E_REGISTRY_NOT_FOUND', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [100] });
      const repo = { registry: registry.host, repository: 'kiln/bydigest' };
      await pushImage(client, { repository: repo, store: src.store, digest: image.manifest.digest });
      const fetched = await getManifest(client, { ...repo, digest: image.manifest.digest });
      assert.equal(fetched.digest, image.manifest.digest);
      await assert.rejects(getManifest(client, { ...repo, tag: 'nope' }), {
        code: ErrorCode.RegistryNotFound,
      });
      await assert.rejects(
        getManifest(client, { registry: registry.host, repository: 'no/such', tag: 'x' }),
        {
          code: ErrorCode.RegistryNotFound,
        },
      );
    } finally {
      await client.close();
    }
  });

  test('a manifest referencing blobs the registry lacks is E_REGISTRY_REJECTED (MANIFEST_BLOB_UNKNOWN)', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [10] });
      const bytes = await src.store.readBlob(image.manifest.digest);
      await assert.rejects(
        putManifest(client, {
          repository: { registry: registry.host, repository: 'kiln/missing-blobs' },
          reference: 'x',
          bytes,
          mediaType: image.manifest.mediaType,
        }),
        (error: { code?: string; entries?: { code: string }[] }) =>
          error.code === ErrorCode.RegistryRejected && error.entries?.[0]?.code === 'MANIFEST_BLOB_UNKNOWN',
      );
    } finally {
      await client.close();
    }
  });

  test('cross-repository mount is used when a source repository holds the blob', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [5000, 6000] });
      const a = { registry: registry.host, repository: 'team/base' };
      const b = { registry: registry.host, repository: 'team/derived' };
      await pushImage(client, {
        repository: a,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['v1'],
      });
      const outcomes: string[] = [];
      await pushImage(client, {
        repository: b,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['v1'],
        mountFrom: ['team/missing', 'team/base'],
        onProgress: (e) => e.kind === 'blob' && outcomes.push(e.outcome),
      });
      assert.deepEqual(outcomes, ['mounted', 'mounted', 'mounted']);
      assert.equal(await headBlob(client, b, image.layers[0]!.digest), image.layers[0]!.size);
    } finally {
      await client.close();
    }
  });

  test('big blobs go up in chunks (PATCH with Content-Range) and come back intact', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [250_000] });
      const repo = { registry: registry.host, repository: 'kiln/chunked' };
      await pushImage(client, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['c'],
        chunkSize: 64 * 1024,
      });
      const target = await tempStore();
      try {
        await pullImage(client, {
          reference: { ...repo, tag: 'c' },
          store: target.store,
          platform: linuxAmd64,
        });
        assert.equal(await blobDigest(target.store, image.layers[0]!.digest), image.layers[0]!.digest);
      } finally {
        await target.remove();
      }
    } finally {
      await client.close();
    }
  });

  test('an index is pushed with its manifests; pull selects the requested platform', async () => {
    const client = createRegistryClient();
    try {
      const { index, images } = await writeTestIndex(src.store, [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]);
      const repo = { registry: registry.host, repository: 'kiln/multi' };
      await pushImage(client, { repository: repo, store: src.store, digest: index.digest, tags: ['m'] });
      const target = await tempStore();
      try {
        const pulled = await pullImage(client, {
          reference: { ...repo, tag: 'm' },
          store: target.store,
          platform: { os: 'linux', architecture: 'arm64' },
        });
        assert.equal(pulled.root.digest, index.digest);
        assert.equal(pulled.manifest.digest, images[1]!.manifest.digest);
        assert.equal(await target.store.hasBlob(images[0]!.layers[0]!.digest), false);
        assert.equal(await target.store.hasBlob(images[1]!.layers[0]!.digest), true);
        await assert.rejects(
          pullImage(client, {
            reference: { ...repo, tag: 'm' },
            store: target.store,
            platform: { os: 'windows', architecture: 'amd64' },
          }),
          { code: ErrorCode.Platform },
        );
      } finally {
        await target.remove();
      }
    } finally {
      await client.close();
    }
  });
});

describe('authentication', { skip: registrySkip() }, () => {
  test('htpasswd Basic auth: good credentials work, bad ones are E_REGISTRY_AUTH, none are E_REGISTRY_AUTH', async () => {
    const registry = await startBasicAuthRegistry({ alice: 's3cret' });
    const src = await tempStore();
    const good = createRegistryClient({
      credentials: staticCredentials({
        [registry.host]: { kind: 'basic', username: 'alice', password: 's3cret' },
      }),
    });
    const bad = createRegistryClient({
      credentials: staticCredentials({
        [registry.host]: { kind: 'basic', username: 'alice', password: 'wrong' },
      }),
    });
    const anonymous = createRegistryClient();
    try {
      const image = await writeTestImage(src.store, { layerSizes: [1234] });
      const repo = { registry: registry.host, repository: 'private/app' };
      await pushImage(good, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1'],
      });
      assert.equal((await getManifest(good, { ...repo, tag: '1' })).digest, image.manifest.digest);
      await assert.rejects(getManifest(bad, { ...repo, tag: '1' }), { code: ErrorCode.RegistryAuth });
      await assert.rejects(getManifest(anonymous, { ...repo, tag: '1' }), { code: ErrorCode.RegistryAuth });
      await good.verifyCredential(registry.host, { kind: 'basic', username: 'alice', password: 's3cret' });
      await assert.rejects(
        bad.verifyCredential(registry.host, { kind: 'basic', username: 'alice', password: 'nope' }),
        { code: ErrorCode.RegistryAuth },
      );
    } finally {
      await Promise.all([good.close(), bad.close(), anonymous.close()]);
      await registry.stop();
      await src.remove();
    }
  });

  test('token auth: tokens are fetched per scope set and reused; denied push is E_REGISTRY_DENIED or AUTH', async () => {
    const registry = await startTokenAuthRegistry({
      users: { bob: 'pw', reader: 'pw2' },
      grant: (user, _resource, actions) =>
        user === 'bob' ? actions : user === 'reader' ? actions.filter((a) => a === 'pull') : [],
    });
    const src = await tempStore();
    const dst = await tempStore();
    const bob = createRegistryClient({
      credentials: staticCredentials({ [registry.host]: { kind: 'basic', username: 'bob', password: 'pw' } }),
    });
    const reader = createRegistryClient({
      credentials: staticCredentials({
        [registry.host]: { kind: 'basic', username: 'reader', password: 'pw2' },
      }),
    });
    try {
      const image = await writeTestImage(src.store, { layerSizes: [100, 200, 300] });
      const repo = { registry: registry.host, repository: 'tok/app' };
      await pushImage(bob, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['t'],
      });
      const tokenRequests = registry.tokenServer!.requests.length;
      // one token for pull,push on tok/app; reused for all blobs and the manifest
      assert.ok(tokenRequests <= 2, `expected token reuse, saw ${tokenRequests} token requests`);
      assert.ok(registry.tokenServer!.requests.every((r) => r.user === 'bob'));

      await pullImage(reader, { reference: { ...repo, tag: 't' }, store: dst.store, platform: linuxAmd64 });
      const pulls = registry.tokenServer!.requests.slice(tokenRequests);
      assert.equal(pulls.length, 1, 'one pull token for all blobs');
      assert.deepEqual(pulls[0]!.scopes, ['repository:tok/app:pull']);

      const other = await writeTestImage(src.store, { layerSizes: [10] });
      await assert.rejects(
        pushImage(reader, { repository: repo, store: src.store, digest: other.manifest.digest, tags: ['x'] }),
        (error: { code?: string }) =>
          error.code === ErrorCode.RegistryAuth || error.code === ErrorCode.RegistryDenied,
      );
      await bob.verifyCredential(registry.host, { kind: 'basic', username: 'bob', password: 'pw' });
      await assert.rejects(
        bob.verifyCredential(registry.host, { kind: 'basic', username: 'bob', password: 'no' }),
        {
          code: ErrorCode.RegistryAuth,
        },
      );
    } finally {
      await Promise.all([bob.close(), reader.close()]);
      await registry.stop();
      await src.remove();
      await dst.remove();
    }
  });

  test('token auth with access_token field and a cross-repository mount scope', async () => {
    const registry = await startTokenAuthRegistry({ users: { bob: 'pw' }, tokenField: 'access_token' });
    const src = await tempStore();
    const client = createRegistryClient({
      credentials: staticCredentials({ [registry.host]: { kind: 'basic', username: 'bob', password: 'pw' } }),
    });
    try {
      const image = await writeTestImage(src.store, { layerSizes: [4096] });
      await pushImage(client, {
        repository: { registry: registry.host, repository: 'a/one' },
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1'],
      });
      const outcomes: string[] = [];
      await pushImage(client, {
        repository: { registry: registry.host, repository: 'a/two' },
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1'],
        mountFrom: ['a/one'],
        onProgress: (e) => e.kind === 'blob' && outcomes.push(e.outcome),
      });
      assert.deepEqual(outcomes, ['mounted', 'mounted']);
      assert.ok(
        registry.tokenServer!.requests.some(
          (r) =>
            r.scopes.includes('repository:a/one:pull') && r.scopes.includes('repository:a/two:pull,push'),
        ),
        'a token covering both repositories was requested',
      );
    } finally {
      await client.close();
      await registry.stop();
      await src.remove();
    }
  });
});

describe('TLS', { skip: registrySkip() }, () => {
  test('a registry with a private CA works with caFile and fails cleanly without it', async () => {
    const registry = await startTlsRegistry();
    const src = await tempStore();
    const trusting = createRegistryClient({ tlsRegistries: [registry.host], caFile: registry.caFile! });
    const skipping = createRegistryClient({ tlsRegistries: [registry.host], skipVerify: true });
    const strict = createRegistryClient({ tlsRegistries: [registry.host], retry: { retries: 0 } });
    try {
      const image = await writeTestImage(src.store, { layerSizes: [100] });
      const repo = { registry: registry.host, repository: 'tls/app' };
      await pushImage(trusting, {
        repository: repo,
        store: src.store,
        digest: image.manifest.digest,
        tags: ['1'],
      });
      assert.equal((await getManifest(skipping, { ...repo, tag: '1' })).digest, image.manifest.digest);
      await assert.rejects(getManifest(strict, { ...repo, tag: '1' }), {
        code: ErrorCode.RegistryUnreachable,
      });
    } finally {
      await Promise.all([trusting.close(), skipping.close(), strict.close()]);
      await registry.stop();
      await src.remove();
    }
  });
});
