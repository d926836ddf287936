/**
 * The file names of a kiln root. One place, so the on-disk layout can be read from one file:
 *
 * ```
 * <kilnRoot>/kiln-store.json          {"version":1}: format of everything under the root
 * <kilnRoot>/store/                   an OCI image layout (skopeo `oci:DIR:REF`, umoci read it)
 *   oci-layout, index.json, blobs/<alg>/<hex>
 *   kiln/tmp/<pid>-<uuid>.tmp         in-flight writes (same filesystem as blobs, renamed into place)
 *   kiln/locks/<name>.lock            inter-process locks (index.json, compressed.json)
 *   kiln/leases/<id>.json             GC leases: blobs a live process is about to reference
 *   kiln/compressed.json              diffID → compressed blob per algorithm
 * <kilnRoot>/cache-mounts/            RUN --mount=type=cache directories (src/mounts), never in layers
 * ```
 */
import { join } from 'node:path';
import { type Digest, parseDigest } from '../oci/digest.js';

/** Current version of the kiln root format (`kiln-store.json`). */
export const KILN_STORE_VERSION = 1;

export interface StorePaths {
  readonly kilnRoot: string;
  readonly versionFile: string;
  /** The OCI image layout directory. */
  readonly layout: string;
  readonly ociLayoutFile: string;
  readonly indexFile: string;
  readonly blobsDir: string;
  readonly kilnDir: string;
  readonly tmpDir: string;
  readonly locksDir: string;
  readonly leasesDir: string;
  readonly compressedFile: string;
  /** Root of the persistent `RUN --mount=type=cache` directories. */
  readonly cacheMountsDir: string;
}

export function storePaths(kilnRoot: string): StorePaths {
  const layout = join(kilnRoot, 'store');
  const kilnDir = join(layout, 'kiln');
  return {
    kilnRoot,
    versionFile: join(kilnRoot, 'kiln-store.json'),
    layout,
    ociLayoutFile: join(layout, 'oci-layout'),
    indexFile: join(layout, 'index.json'),
    blobsDir: join(layout, 'blobs'),
    kilnDir,
    tmpDir: join(kilnDir, 'tmp'),
    locksDir: join(kilnDir, 'locks'),
    leasesDir: join(kilnDir, 'leases'),
    compressedFile: join(kilnDir, 'compressed.json'),
    cacheMountsDir: join(kilnRoot, 'cache-mounts'),
  };
}

/** `blobs/<alg>/<hex>` for a digest (validated, so it cannot escape the blobs directory). */
export function blobPath(paths: StorePaths, digest: Digest): string {
  const { algorithm, hex } = parseDigest(digest);
  return join(paths.blobsDir, algorithm, hex);
}
