import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { startPlainRegistry, type TestRegistry, toolSkip } from '../harness/registry.js';
import { blobDigest, type TempStore, tempStore, writeTestImage } from './fixtures.js';

const run = promisify(execFile);
const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });

/** Writes a one-layer OCI image layout by hand (blobs, oci-layout, index.json with a ref name). */
async function writeLayout(
  dir: string,
  tag: string,
): Promise<{ manifest: string; layer: string; config: string }> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer) => {
    const digest = sha256Digest(bytes);
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const tar = Buffer.alloc(10240); // an empty tar archive: two zero blocks and padding
  const layerBytes = gzipSync(tar);
  const layer = await put(layerBytes);
  const config = await put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
        config: { Env: ['FROM=skopeo'] },
      }),
    ),
  );
  const manifest = await put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OciMediaType.ImageManifest,
        config: { mediaType: OciMediaType.ImageConfig, ...config },
        layers: [{ mediaType: OciMediaType.ImageLayerGzip, ...layer }],
      }),
    ),
  );
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OciMediaType.ImageManifest,
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { manifest: manifest.digest, layer: layer.digest, config: config.digest };
}

describe('interoperability with skopeo', { skip: toolSkip('skopeo') }, () => {
  let registry: TestRegistry;
  let work: string;
  let store: TempStore;
  before(async () => {
    registry = await startPlainRegistry();
    work = await mkdtemp(join(tmpdir(), 'kiln-interop-'));
    store = await tempStore();
  });
  after(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
    await store?.remove();
  });

  test('kiln pushes; skopeo inspects and copies with the same digests', async () => {
    const client = createRegistryClient();
    try {
      const image = await writeTestImage(store.store, { layerSizes: [4096, 100_000] });
      await pushImage(client, {
        repository: { registry: registry.host, repository: 'interop/kiln' },
        store: store.store,
        digest: image.manifest.digest,
        tags: ['v1'],
      });
      const { stdout } = await skopeo(
        'inspect',
        '--tls-verify=false',
        `docker://${registry.host}/interop/kiln:v1`,
      );
      const inspected = JSON.parse(stdout) as { Digest: string; Layers: string[] };
      assert.equal(inspected.Digest, image.manifest.digest);
      assert.deepEqual(
        inspected.Layers,
        image.layers.map((l) => l.digest),
      );
      const layout = join(work, 'copied');
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        `docker://${registry.host}/interop/kiln:v1`,
        `oci:${layout}:v1`,
      );
      const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
        manifests: { digest: string }[];
      };
      assert.equal(index.manifests[0]?.digest, image.manifest.digest);
      for (const layer of image.layers) {
        const bytes = await readFile(join(layout, 'blobs', 'sha256', layer.digest.slice(7)));
        assert.equal(sha256Digest(bytes), layer.digest);
      }
    } finally {
      await client.close();
    }
  });

  test('skopeo pushes an OCI layout; kiln pulls identical digests', async () => {
    const layout = join(work, 'made');
    const made = await writeLayout(layout, 'v2');
    await skopeo(
      'copy',
      '--dest-tls-verify=false',
      `oci:${layout}:v2`,
      `docker://${registry.host}/interop/skopeo:v2`,
    );
    const client = createRegistryClient();
    const target = await tempStore();
    try {
      const pulled = await pullImage(client, {
        reference: { registry: registry.host, repository: 'interop/skopeo', tag: 'v2' },
        store: target.store,
        platform: { os: 'linux', architecture: 'amd64' },
      });
      assert.equal(pulled.manifest.digest, made.manifest);
      assert.equal(pulled.config.digest, made.config);
      assert.deepEqual(
        pulled.layers.map((l) => l.digest),
        [made.layer],
      );
      assert.equal(await blobDigest(target.store, made.layer as never), made.layer);
    } finally {
      await client.close();
      await target.remove();
    }
  });
});
