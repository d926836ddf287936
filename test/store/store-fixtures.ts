/**
 * Test helpers: temp kiln roots and small synthetic images written through the store API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciMediaType } from '../../src/oci/media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../../src/oci/types.js';
import { type LocalStore, openStore } from '../../src/store/local-store.js';
import type { Lease } from '../../src/store/types.js';

/** A fresh temp directory removed by the returned cleanup. */
export function tempRoot(prefix = 'kiln-store-'): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function tempStore(): Promise<{ readonly store: LocalStore; cleanup(): void }> {
  const root = tempRoot();
  const store = await openStore({ root: root.dir });
  return { store, cleanup: root.cleanup };
}

/** A minimal valid tar: one regular file `name` holding `content`, then two zero blocks. */
export function tinyTar(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

export interface TestImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface WriteImageOptions {
  /** Distinguishes images: goes into a layer file and the config. */
  readonly seed: string;
  readonly architecture?: string;
  readonly layerCount?: number;
  /** Every blob written is added to this GC lease. */
  readonly lease?: Lease;
}

/** Writes an uncompressed single-platform OCI image (layers, config, manifest); does not tag it. */
export async function writeTestImage(store: LocalStore, options: WriteImageOptions): Promise<TestImage> {
  const layers: Descriptor[] = [];
  for (let i = 0; i < (options.layerCount ?? 1); i++) {
    const tar = tinyTar(`file-${i}.txt`, `${options.seed} layer ${i}\n`);
    const info = await store.writeBlob(tar, { lease: options.lease });
    layers.push({ mediaType: OciMediaType.ImageLayer, digest: info.digest, size: info.size });
  }
  const config: ImageConfig = {
    created: '2024-01-02T03:04:05Z',
    architecture: options.architecture ?? 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], Labels: { seed: options.seed } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: layers.map((_, i) => ({
      created: '2024-01-02T03:04:05Z',
      created_by: `test ${options.seed} ${i}`,
    })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configInfo = await store.writeBlob(configBytes, { lease: options.lease });
  const configDesc: Descriptor = {
    mediaType: OciMediaType.ImageConfig,
    digest: configInfo.digest,
    size: configInfo.size,
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OciMediaType.ImageManifest,
    config: configDesc,
    layers,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestInfo = await store.writeBlob(manifestBytes, { lease: options.lease });
  return {
    manifest: { mediaType: OciMediaType.ImageManifest, digest: manifestInfo.digest, size: manifestInfo.size },
    config: configDesc,
    layers,
  };
}

/** Writes an OCI index over the given manifests (each with its config's platform). */
export async function writeTestIndex(
  store: LocalStore,
  entries: readonly { readonly image: TestImage; readonly architecture: string }[],
): Promise<Descriptor> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OciMediaType.ImageIndex,
    manifests: entries.map((e) => ({
      ...e.image.manifest,
      platform: { os: 'linux', architecture: e.architecture },
    })),
  };
  const info = await store.writeBlob(Buffer.from(JSON.stringify(index)));
  return { mediaType: OciMediaType.ImageIndex, digest: info.digest, size: info.size };
}
