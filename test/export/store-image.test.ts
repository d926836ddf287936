/**
 * storeImage in both formats, against a real store in a temp directory: the manifest's media types
 * (base image layers included) follow the format, the config bytes do not change.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeImage } from '../../src/export/store-image.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { DockerMediaType, OciMediaType } from '../../src/oci/media-types.js';
import type { ImageConfig } from '../../src/oci/types.js';
import { type Lease, type LocalStore, openStore } from '../../src/store/index.js';

const CONFIG: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: {
    Cmd: ['/bin/sh'],
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000 },
    OnBuild: ['RUN echo child'],
    Shell: ['/bin/sh', '-c'],
  },
  rootfs: { type: 'layers', diff_ids: [sha256Digest('base'), sha256Digest('built')] },
} as ImageConfig;

const LAYERS = [
  // A base image layer as pulled from Docker Hub (Docker media type, compressed).
  { mediaType: DockerMediaType.LayerGzip, digest: sha256Digest('base.gz'), size: 7 },
  // A layer this build made (stored uncompressed, OCI media type).
  { mediaType: OciMediaType.ImageLayer, digest: sha256Digest('built'), size: 5 },
];

describe('storeImage: OCI or Docker schema 2 manifests', () => {
  let dir: string;
  let store: LocalStore;
  let lease: Lease;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-store-image-'));
    store = await openStore({ root: dir, env: {} });
    lease = await store.createLease();
  });
  after(async () => {
    await lease?.release();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writes OCI by default, every layer with an OCI media type', async () => {
    const built = await storeImage({ store, lease, config: CONFIG, layers: LAYERS, tags: ['x:oci'] });
    const raw = JSON.parse((await store.readBlob(built.manifestDescriptor.digest)).toString());
    assert.equal(raw.mediaType, OciMediaType.ImageManifest);
    assert.equal(built.manifestDescriptor.mediaType, OciMediaType.ImageManifest);
    assert.equal(raw.config.mediaType, OciMediaType.ImageConfig);
    assert.deepEqual(
      raw.layers.map((l: { mediaType: string }) => l.mediaType),
      [OciMediaType.ImageLayerGzip, OciMediaType.ImageLayer],
    );
  });

  it('writes Docker schema 2 on request with the same config bytes', async () => {
    const oci = await storeImage({ store, lease, config: CONFIG, layers: LAYERS, tags: [] });
    const docker = await storeImage({
      store,
      lease,
      config: CONFIG,
      layers: LAYERS,
      tags: ['x:docker'],
      format: 'docker',
    });
    assert.equal(docker.manifestDescriptor.mediaType, DockerMediaType.Manifest);
    assert.equal(docker.configDescriptor.mediaType, DockerMediaType.Config);
    assert.equal(docker.configDescriptor.digest, oci.configDescriptor.digest);
    assert.notEqual(docker.manifestDescriptor.digest, oci.manifestDescriptor.digest);
    const raw = JSON.parse((await store.readBlob(docker.manifestDescriptor.digest)).toString());
    assert.equal(raw.schemaVersion, 2);
    assert.equal(raw.mediaType, DockerMediaType.Manifest);
    assert.equal(raw.config.mediaType, DockerMediaType.Config);
    assert.deepEqual(
      raw.layers.map((l: { mediaType: string; digest: string }) => [l.mediaType, l.digest]),
      [
        [DockerMediaType.LayerGzip, LAYERS[0]!.digest],
        [DockerMediaType.Layer, LAYERS[1]!.digest],
      ],
    );
    const config = JSON.parse((await store.readBlob(docker.configDescriptor.digest)).toString());
    assert.deepEqual(config.config.Healthcheck, CONFIG.config?.Healthcheck);
    assert.deepEqual(config.config.OnBuild, ['RUN echo child']);
    assert.deepEqual(config.config.Shell, ['/bin/sh', '-c']);
    assert.equal(docker.tags.length, 1);
  });

  it('refuses annotations in Docker format (E_USAGE)', async () => {
    await assert.rejects(
      storeImage({
        store,
        lease,
        config: CONFIG,
        layers: LAYERS,
        tags: [],
        annotations: { 'org.example': 'x' },
        format: 'docker',
      }),
      { code: 'E_USAGE' },
    );
  });
});
