import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  copyImage,
  loadArchive,
  openDestination,
  openSource,
  parseTransportSpec,
  type TransportContext,
} from '../../src/archive/index.js';
import { isKilnError } from '../../src/errors.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { DockerMediaType, OciMediaType } from '../../src/oci/media-types.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import { storeIn, taggedImage, taggedIndex, workDir } from './archive-fixtures.js';

async function copy(from: string, to: string, context: TransportContext, extra: object = {}) {
  const src = await openSource(parseTransportSpec(from), context);
  try {
    const dst = await openDestination(parseTransportSpec(to), context);
    return await copyImage({ src, dst, ...extra });
  } finally {
    await src.close();
  }
}

function code(expected: string) {
  return (error: unknown) => isKilnError(error) && error.code === expected;
}

describe('copyImage between transports', () => {
  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  let context: TransportContext;
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
    context = { store: async () => store, tmpDir: dir };
  });
  afterEach(() => cleanup());

  it('store → oci dir → other store keeps every digest and the tag', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    const result = await copy('example.com/app:1', `oci:${dir}/layout:v1`, context);
    assert.equal(result.images[0]!.root.digest, image.manifest.digest);
    assert.equal(result.blobsCopied, 3, 'config + 2 layers');
    const index = JSON.parse(readFileSync(join(dir, 'layout', 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'v1');
    assert.equal(index.manifests[0].digest, image.manifest.digest);
    for (const d of [image.manifest, image.config, ...image.layers]) {
      const bytes = readFileSync(join(dir, 'layout', 'blobs', 'sha256', d.digest.slice(7)));
      assert.equal(sha256Digest(bytes), d.digest);
    }
    const other = await storeIn(dir, 'other');
    await copy(`oci:${dir}/layout:v1`, 'kiln:example.com/copied:2', { store: async () => other });
    const resolved = await resolveImage(other, 'example.com/copied:2');
    assert.equal(resolved.root.digest, image.manifest.digest);
    assert.deepEqual(
      resolved.config.rootfs.diff_ids,
      image.layers.map((l) => l.digest),
    );
  });

  it('skips blobs the destination already has', async () => {
    await taggedImage(store, 'example.com/app:1');
    await copy('example.com/app:1', `oci:${dir}/layout:a`, context);
    const again = await copy('example.com/app:1', `oci:${dir}/layout:b`, context);
    assert.equal(again.blobsCopied, 0);
    assert.equal(again.blobsSkipped, 3);
    const index = JSON.parse(readFileSync(join(dir, 'layout', 'index.json'), 'utf8'));
    assert.deepEqual(
      index.manifests.map(
        (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
      ),
      ['a', 'b'],
    );
  });

  it('store → oci-archive → load: same digests, tags restored', async () => {
    const a = await taggedImage(store, 'example.com/a:1');
    const b = await taggedImage(store, 'example.com/b:2');
    const file = join(dir, 'a.tar');
    await copy('example.com/a:1', `oci-archive:${file}`, context);
    const other = await storeIn(dir, 'other');
    const loaded = await loadArchive({ store: other, file, tmpDir: dir });
    assert.equal(loaded.format, 'oci-archive');
    assert.deepEqual(
      loaded.images.map((i) => i.root.digest),
      [a.manifest.digest],
    );
    assert.deepEqual(loaded.images[0]!.tags, ['example.com/a:1']);
    assert.equal(
      (await resolveImage(other, 'example.com/a:1')).config.config?.Labels?.seed,
      'example.com/a:1',
    );
    assert.notEqual(a.manifest.digest, b.manifest.digest);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('.tmp')),
      [],
      'no temp file left',
    );
  });

  it('keeps a multi-platform index between OCI forms', async () => {
    const { index, amd64, arm64 } = await taggedIndex(store, 'example.com/multi:1');
    const file = join(dir, 'multi.tar');
    const result = await copy('example.com/multi:1', `oci-archive:${file}`, context);
    assert.equal(result.images[0]!.root.digest, index.digest);
    assert.equal(result.blobsCopied, 2 * 2, 'config + layer of each platform (documents are not counted)');
    const other = await storeIn(dir, 'other');
    await loadArchive({ store: other, file });
    for (const [arch, image] of [
      ['amd64', amd64],
      ['arm64', arm64],
    ] as const) {
      const resolved = await resolveImage(other, 'example.com/multi:1', {
        platform: { os: 'linux', architecture: arch },
      });
      assert.equal(resolved.root.digest, index.digest);
      assert.equal(resolved.manifestDescriptor.digest, image.manifest.digest);
    }
  });

  it('docker-archive: one platform, Docker schema 2 media types, config bytes unchanged', async () => {
    const { arm64 } = await taggedIndex(store, 'example.com/multi:1');
    const file = join(dir, 'docker.tar');
    const result = await copy('example.com/multi:1', `docker-archive:${file}`, context, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    const root = result.images[0]!.root;
    assert.equal(root.mediaType, DockerMediaType.Manifest);
    const other = await storeIn(dir, 'other');
    const loaded = await loadArchive({ store: other, file });
    assert.equal(loaded.format, 'docker-archive');
    assert.deepEqual(loaded.images[0]!.tags, ['example.com/multi:1']);
    const resolved = await resolveImage(other, 'example.com/multi:1');
    assert.equal(resolved.manifest.config.digest, arm64.config.digest);
    assert.equal(resolved.manifest.config.mediaType, DockerMediaType.Config);
    assert.equal(resolved.config.architecture, 'arm64');
    assert.deepEqual(
      resolved.manifest.layers.map((l) => l.digest),
      arm64.layers.map((l) => l.digest),
    );
  });

  it('docker-archive members: manifest.json, repositories, <hex>.json config, <hex>.tar layers', async () => {
    const image = await taggedImage(store, 'busybox:1');
    const file = join(dir, 'docker.tar');
    await copy('busybox:1', `docker-archive:${file}`, context);
    const extracted = await (await import('../../src/archive/index.js')).extractArchive(file, {
      tmpDir: dir,
    });
    try {
      const manifest = (await extracted.readJson('manifest.json', 'manifest')) as {
        Config: string;
        RepoTags: string[];
        Layers: string[];
      }[];
      assert.deepEqual(manifest, [
        {
          Config: `${image.config.digest.slice(7)}.json`,
          RepoTags: ['busybox:1'],
          Layers: image.layers.map((l) => `${l.digest.slice(7)}.tar`),
        },
      ]);
      assert.deepEqual(await extracted.readJson('repositories', 'repositories'), {
        busybox: { '1': image.layers.at(-1)!.digest.slice(7) },
      });
    } finally {
      await extracted.close();
    }
  });

  it('compresses uncompressed layers to gzip when asked, and records the variant in the store', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    const result = await copy('example.com/app:1', `oci:${dir}/gz:1`, context, { compression: 'gzip' });
    const manifest = JSON.parse(
      readFileSync(join(dir, 'gz', 'blobs', 'sha256', result.images[0]!.root.digest.slice(7)), 'utf8'),
    );
    assert.equal(manifest.config.digest, image.config.digest);
    for (const [i, layer] of (manifest.layers as { mediaType: string; digest: string }[]).entries()) {
      assert.equal(layer.mediaType, OciMediaType.ImageLayerGzip);
      const raw = gunzipSync(readFileSync(join(dir, 'gz', 'blobs', 'sha256', layer.digest.slice(7))));
      assert.equal(sha256Digest(raw), image.layers[i]!.digest);
      assert.deepEqual(await store.getCompressed(image.layers[i]!.digest, 'gzip'), {
        digest: layer.digest,
        size: manifest.layers[i].size,
      });
    }
  });

  it('reuses the recorded compressed layer: a second export never reads the uncompressed layer', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    const first = await copy('example.com/app:1', `oci:${dir}/gz1:1`, context, { compression: 'gzip' });
    // Corrupt every stored uncompressed layer in place: reading one now fails its digest check.
    for (const layer of image.layers) {
      const path = store.blobPath(layer.digest);
      chmodSync(path, 0o644);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(path, bytes);
    }
    const second = await copy('example.com/app:1', `oci:${dir}/gz2:1`, context, { compression: 'gzip' });
    assert.equal(second.images[0]!.root.digest, first.images[0]!.root.digest);
    // Control: the corruption is real — copying the uncompressed layers fails.
    await assert.rejects(copy('example.com/app:1', `oci:${dir}/plain:1`, context), code('E_DIGEST_MISMATCH'));
  });

  it('compresses through a temp file when the source has no cache (oci dir → docker-archive)', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    await copy('example.com/app:1', `oci:${dir}/plain:1`, context);
    const file = join(dir, 'gz.tar');
    await copy(`oci:${dir}/plain:1`, `docker-archive:${file}:example.com/app:1`, context, {
      compression: 'gzip',
    });
    const other = await storeIn(dir, 'other');
    await loadArchive({ store: other, file });
    const resolved = await resolveImage(other, 'example.com/app:1');
    assert.equal(resolved.manifest.config.digest, image.config.digest);
    for (const layer of resolved.manifest.layers) {
      const raw = gunzipSync(await other.readBlob(layer.digest));
      assert.ok(image.layers.some((l) => l.digest === sha256Digest(raw)));
    }
  });

  it('zstd compression writes +zstd layers that decompress to the diff_ids', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    const result = await copy('example.com/app:1', `oci:${dir}/zst:1`, context, { compression: 'zstd' });
    const blob = (digest: string) => join(dir, 'zst', 'blobs', 'sha256', digest.slice(7));
    const manifest = JSON.parse(readFileSync(blob(result.images[0]!.root.digest), 'utf8'));
    for (const [i, layer] of (manifest.layers as { mediaType: string; digest: string }[]).entries()) {
      assert.equal(layer.mediaType, OciMediaType.ImageLayerZstd);
      const raw = execFileSync('zstd', ['-d', '-c', blob(layer.digest)]);
      assert.equal(sha256Digest(raw), image.layers[i]!.digest);
    }
  });

  it('refuses --format oci for a docker-archive', async () => {
    await taggedImage(store, 'example.com/app:1');
    await assert.rejects(
      copy('example.com/app:1', `docker-archive:${dir}/x.tar`, context, { format: 'oci' }),
      code('E_USAGE'),
    );
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.x.tar')),
      [],
      'temp archive removed',
    );
  });

  it('refuses a platform the index does not have, and leaves no archive behind', async () => {
    await taggedIndex(store, 'example.com/multi:1');
    const file = join(dir, 'x.tar');
    await assert.rejects(
      copy('example.com/multi:1', `docker-archive:${file}`, context, {
        platform: { os: 'linux', architecture: 's390x' },
      }),
      code('E_PLATFORM'),
    );
    assert.equal(existsSync(file), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.x.tar')),
      [],
    );
  });

  it('fails with E_DIGEST_MISMATCH when a layout blob was altered, writing nothing', async () => {
    const image = await taggedImage(store, 'example.com/app:1');
    await copy('example.com/app:1', `oci:${dir}/layout:1`, context);
    const layerFile = join(dir, 'layout', 'blobs', 'sha256', image.layers[1]!.digest.slice(7));
    const bytes = readFileSync(layerFile);
    bytes[0] = bytes[0]! ^ 1;
    (await import('node:fs')).writeFileSync(layerFile, bytes);
    const other = await storeIn(dir, 'other');
    const before = await other.readIndex();
    await assert.rejects(
      copy(`oci:${dir}/layout:1`, 'kiln:example.com/x:1', { store: async () => other }),
      code('E_DIGEST_MISMATCH'),
    );
    assert.deepEqual(await other.readIndex(), before);
    await assert.rejects(
      copy(`oci:${dir}/layout:1`, `oci-archive:${dir}/bad.tar`, context),
      code('E_DIGEST_MISMATCH'),
    );
    assert.equal(existsSync(join(dir, 'bad.tar')), false);
  });
});
