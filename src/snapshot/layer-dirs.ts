/** Where unpacked layers live: one directory per diffID under the store's snapshots/ dir, shared by builds. */
import { join } from 'node:path';
import { type Digest, parseDigest } from '../oci/digest.js';

/** The directory of a layer's unpacked contents: `<snapshotsRoot>/<algorithm>/<hex>`. */
export function layerDir(snapshotsRoot: string, diffID: Digest): string {
  const { algorithm, hex } = parseDigest(diffID);
  return join(snapshotsRoot, algorithm, hex);
}

/** The lowers for an image's layers given bottom-first (as in the image config): top first. */
export function lowersFor(snapshotsRoot: string, diffIDs: readonly Digest[]): string[] {
  return [...diffIDs].reverse().map((d) => layerDir(snapshotsRoot, d));
}
