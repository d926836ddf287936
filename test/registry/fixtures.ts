/**
 * Test images written into a temporary content store: random layers, a config, a manifest, and
 * optionally an index over several platforms.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import type { Descriptor, Platform } from '../../src/oci/types.js';
import { openStore } from '../../src/store/local-store.js';
import type { ContentStore } from '../../src/store/types.js';

export interface TempStore {
  readonly store: ContentStore;
  readonly dir: string;
  remove(): Promise<void>;
}

/** A fresh store in a temporary directory. */
export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-registry-store-'));
  const store = await openStore({ root: dir, env: {} });
  return { store, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function putBlob(store: ContentStore, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
  const info = await store.writeBlob(bytes);
  return { mediaType, digest: info.digest, size: info.size };
}

export interface TestImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/**
 * Writes an image whose layers are gzip streams of random payloads of the given sizes (real gzip, so
 * tools that inspect compression leave them alone; the payload is not a tar, which registries ignore).
 */
export async function writeTestImage(
  store: ContentStore,
  options: { readonly layerSizes: readonly number[]; readonly platform?: Platform },
): Promise<TestImage> {
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (const size of options.layerSizes) {
    const payload = randomBytes(size);
    diffIds.push(sha256Digest(payload));
    layers.push(await putBlob(store, gzipSync(payload, { level: 1 }), OciMediaType.ImageLayerGzip));
  }
  const configJson = JSON.stringify({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    rootfs: { type: 'layers', diff_ids: diffIds },
    config: { Env: [`NONCE=${randomBytes(8).toString('hex')}`] },
  });
  const config = await putBlob(store, Buffer.from(configJson), OciMediaType.ImageConfig);
  const manifestJson = JSON.stringify({
    schemaVersion: 2,
    mediaType: OciMediaType.ImageManifest,
    config,
    layers,
  });
  const manifest = await putBlob(store, Buffer.from(manifestJson), OciMediaType.ImageManifest);
  return { manifest, config, layers };
}

/** Writes an index over images for the given platforms. */
export async function writeTestIndex(
  store: ContentStore,
  platforms: readonly Platform[],
): Promise<{ readonly index: Descriptor; readonly images: readonly TestImage[] }> {
  const images: TestImage[] = [];
  for (const platform of platforms)
    images.push(await writeTestImage(store, { layerSizes: [1000, 2000], platform }));
  const indexJson = JSON.stringify({
    schemaVersion: 2,
    mediaType: OciMediaType.ImageIndex,
    manifests: images.map((image, i) => ({ ...image.manifest, platform: platforms[i] })),
  });
  const index = await putBlob(store, Buffer.from(indexJson), OciMediaType.ImageIndex);
  return { index, images };
}

/** Reads a whole blob from a store and returns its sha256 (to compare stores). */
export async function blobDigest(store: ContentStore, digest: Digest): Promise<Digest> {
  return sha256Digest(await store.readBlob(digest, 1 << 30));
}
