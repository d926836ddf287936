/**
 * A small, runnable base image made from Debian's busybox-static (no public registry is reachable in
 * tests): the rootfs of busybox-rootfs.ts as one layer, written into a kiln store.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import type { Descriptor } from '../../src/oci/types.js';
import { setImageTag } from '../../src/store/image-tags.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { makeBusyboxRootfs } from './busybox-rootfs.js';

/** The busybox rootfs as an uncompressed, deterministic tar (GNU tar, owners 0:0, sorted, mtime 0). */
export async function busyboxLayerTar(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-busybox-'));
  try {
    await makeBusyboxRootfs(dir);
    // As in real images: / is 0755 (mkdtemp made it 0700, so non-root USERs could not exec /bin/sh)
    // and /tmp 1777 (mkdir's mode went through the umask).
    await chmod(dir, 0o755);
    await chmod(join(dir, 'tmp'), 0o1777);
    return execFileSync(
      'tar',
      [
        '-C',
        dir,
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mtime=@0',
        '--format=pax',
        // pax headers would otherwise record each file's atime and ctime (different every time).
        '--pax-option=delete=atime,delete=ctime',
        '-cf',
        '-',
        '.',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface BusyboxImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layer: Descriptor;
  readonly diffID: string;
}

/**
 * Writes the busybox image (OCI media types; a gzip layer, or the plain tar as builds store layers
 * with `uncompressed`) into the store and tags it as `ref`.
 */
export async function writeBusyboxImage(
  store: LocalStore,
  ref: string,
  config: Readonly<Record<string, unknown>> = { Cmd: ['/bin/sh'] },
  options: { readonly uncompressed?: boolean } = {},
): Promise<BusyboxImage> {
  const tar = await busyboxLayerTar();
  const layerInfo = await store.writeBlob(options.uncompressed === true ? tar : gzipSync(tar));
  const layer: Descriptor = {
    mediaType: options.uncompressed === true ? OciMediaType.ImageLayer : OciMediaType.ImageLayerGzip,
    digest: layerInfo.digest,
    size: layerInfo.size,
  };
  const diffID = sha256Digest(tar);
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: [diffID] },
      history: [{ created_by: 'busybox-static from Debian (kiln test fixture)' }],
    }),
  );
  const configInfo = await store.writeBlob(configBytes);
  const configDesc: Descriptor = {
    mediaType: OciMediaType.ImageConfig,
    digest: configInfo.digest,
    size: configInfo.size,
  };
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OciMediaType.ImageManifest,
      config: configDesc,
      layers: [layer],
    }),
  );
  const manifestInfo = await store.writeBlob(manifestBytes);
  const manifest: Descriptor = {
    mediaType: OciMediaType.ImageManifest,
    digest: manifestInfo.digest,
    size: manifestInfo.size,
  };
  await setImageTag(store, ref, manifest);
  return { manifest, config: configDesc, layer, diffID };
}
