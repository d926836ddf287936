/**
 * The shared base image of the corpus (`FROM busybox`): the busybox test image written into a kiln
 * store (for the kiln side) and copied to an oci-archive with skopeo (for buildah).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';

const run = promisify(execFile);

/** The name every corpus Dockerfile uses as its base. */
export const BASE_REF = 'docker.io/library/busybox:latest';

/** Writes the busybox image into a kiln store at `root` (tagged {@link BASE_REF}). */
export async function writeBaseStore(root: string): Promise<void> {
  const store = await openStore({ root, env: {} });
  await writeBusyboxImage(store, 'busybox:latest');
}

/** Writes the base image as an oci-archive at `archive` (via a temporary kiln store under `scratch`). */
export async function writeBaseArchive(scratch: string, archive: string): Promise<void> {
  const root = join(scratch, 'base-store');
  await writeBaseStore(root);
  await run('skopeo', [
    'copy',
    '--quiet',
    `oci:${join(root, 'store')}:${BASE_REF}`,
    `oci-archive:${archive}`,
  ]);
}
