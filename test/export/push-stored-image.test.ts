/**
 * Pushing a stored image whose layers are uncompressed (as builds store them) to a real registry:
 * layers are compressed on the way (gzip by default, zstd or none on request), the compressed form
 * is remembered in the store and reused by the next push, and what the registry holds is read back
 * by skopeo, whose layer digests and diffIDs must match what kiln reports.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { pushStoredImage } from '../../src/export/push-stored-image.js';
import { type Digest, sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import { parseReference } from '../../src/oci/reference.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/index.js';
import { type LocalStore, openStore } from '../../src/store/index.js';
import { startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { type BusyboxImage, writeBusyboxImage } from '../helpers/busybox-image.js';

const run = promisify(execFile);

interface RawManifest {
  readonly layers: readonly { readonly mediaType: string; readonly digest: string; readonly size: number }[];
}

describe('pushStoredImage: uncompressed build layers compressed on push', {
  timeout: 120_000,
}, () => {
  let registry: TestRegistry;
  let dir: string;
  let store: LocalStore;
  let client: RegistryClient;
  let image: BusyboxImage;
  let firstPushed = '';

  before(async () => {
    registry = await startPlainRegistry();
    dir = await mkdtemp(join(tmpdir(), 'kiln-push-compress-'));
    store = await openStore({ root: dir, env: {} });
    image = await writeBusyboxImage(store, 'busybox:plain', undefined, { uncompressed: true });
    client = createRegistryClient();
  });
  after(async () => {
    await client?.close();
    await registry?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const push = (repository: string, compression?: 'gzip' | 'zstd' | 'none') =>
    pushStoredImage({
      client,
      store,
      digest: image.manifest.digest,
      reference: parseReference(`${registry.host}/${repository}:1`),
      ...(compression === undefined ? {} : { compression }),
    });

  const remoteManifest = async (repository: string): Promise<RawManifest> =>
    JSON.parse(
      (
        await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/${repository}:1`,
        ])
      ).stdout,
    ) as RawManifest;

  const remoteBlob = async (repository: string, digest: string): Promise<Buffer> => {
    const response = await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`);
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  };

  it('gzip by default: a new manifest over a gzip layer whose content is the stored tar', async () => {
    assert.equal(image.layer.mediaType, OciMediaType.ImageLayer);
    const result = await push('gzip/app');
    assert.equal(result.layersCompressed, 1);
    assert.notEqual(
      result.descriptor.digest,
      image.manifest.digest,
      'the pushed manifest names other layers',
    );
    const manifest = await remoteManifest('gzip/app');
    assert.equal(manifest.layers.length, 1);
    const layer = manifest.layers[0];
    assert.ok(layer);
    assert.equal(layer.mediaType, OciMediaType.ImageLayerGzip);
    const gz = await remoteBlob('gzip/app', layer.digest);
    assert.equal(sha256Digest(gz), layer.digest);
    assert.equal(sha256Digest(gunzipSync(gz)), image.diffID, 'the layer decompresses to the stored tar');
    // The registry's manifest digest is the one kiln reports.
    const { stdout } = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${registry.host}/gzip/app:1`,
    ]);
    assert.equal(stdout.trim(), result.descriptor.digest);
    firstPushed = result.descriptor.digest;
  });

  it('remembers the compressed form: the next push reuses the same blob, the store records it once', async () => {
    const recorded = await store.getCompressed(image.diffID as Digest, 'gzip');
    assert.ok(recorded, 'the gzip variant is recorded in the store');
    const before = (await readdir(join(dir, 'store', 'blobs', 'sha256'))).length;
    const again = await push('gzip/other');
    const manifest = await remoteManifest('gzip/other');
    assert.equal(manifest.layers[0]?.digest, recorded.digest);
    assert.equal((await readdir(join(dir, 'store', 'blobs', 'sha256'))).length, before, 'no new blob made');
    assert.equal(again.descriptor.digest, firstPushed, 'same layers, same manifest digest');
  });

  it('mountFrom: blobs another repository of the registry holds are mounted, not uploaded', async () => {
    const result = await pushStoredImage({
      client,
      store,
      digest: image.manifest.digest,
      reference: parseReference(`${registry.host}/mounted/app:1`),
      mountFrom: ['gzip/app'],
    });
    assert.equal(result.descriptor.digest, firstPushed);
    assert.equal(result.blobsCopied, 0);
    assert.equal(result.blobsMounted, 2, 'the layer and the config');
    const layer = (await remoteManifest('mounted/app')).layers[0];
    assert.ok(layer);
    assert.equal(sha256Digest(await remoteBlob('mounted/app', layer.digest)), layer.digest);
  });

  it('zstd on request: a zstd layer that decompresses to the stored tar', async () => {
    const result = await push('zstd/app', 'zstd');
    assert.equal(result.layersCompressed, 1);
    const layer = (await remoteManifest('zstd/app')).layers[0];
    assert.ok(layer);
    assert.equal(layer.mediaType, OciMediaType.ImageLayerZstd);
    const blob = await remoteBlob('zstd/app', layer.digest);
    const scratch = join(dir, 'layer.zst');
    await writeFile(scratch, blob);
    const { stdout } = await run('sh', ['-c', `zstd -dc '${scratch}' | sha256sum`], { encoding: 'utf8' });
    assert.equal(`sha256:${stdout.split(' ')[0]}`, image.diffID);
  });

  it('none: the stored manifest and layer go as they are', async () => {
    const result = await push('plain/app', 'none');
    assert.equal(result.layersCompressed, 0);
    assert.equal(result.descriptor.digest, image.manifest.digest);
    const layer = (await remoteManifest('plain/app')).layers[0];
    assert.equal(layer?.mediaType, OciMediaType.ImageLayer);
    assert.equal(layer?.digest, image.layer.digest);
    assert.deepEqual(
      await remoteBlob('plain/app', image.layer.digest),
      await readFile(join(dir, 'store', 'blobs', 'sha256', image.layer.digest.slice(7))),
    );
  });
});
