/**
 * Storing a step's changes: the deterministic layer tar goes into the store as an uncompressed blob
 * (its digest is the diffID), and the changes directory is kept as the layer's snapshot.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Digest } from '../oci/digest.js';
import { layerDir } from '../snapshot/layer-dirs.js';
import type { LayerResult, WorkerEnv } from './types.js';

/** The diffID of a tar with no members (two zero blocks): such a layer is left out of images. */
export const EMPTY_LAYER_DIFF_ID =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' as Digest;

export interface CommitOptions {
  /** The changed tree (overlay upper dir or staging dir), or the tree after a step for 'compare'. */
  readonly upper: string;
  /** For 'compare': the tree before the step. */
  readonly lower?: string;
  readonly exclude?: readonly string[];
}

/** Diffs, stores the layer blob (added to the build's lease) and reports the layer. */
export async function commitLayer(env: WorkerEnv, options: CommitOptions): Promise<LayerResult> {
  const { diffToLayer } = await import('../layer/index.js');
  const diff = diffToLayer({
    upper: options.upper,
    mode: options.lower === undefined ? 'overlay-upper' : 'compare',
    ...(options.lower === undefined ? {} : { lower: [options.lower] }),
    ownership: env.ownership,
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(env.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: env.sourceDateEpoch }),
    ...(env.signal === undefined ? {} : { signal: env.signal }),
  });
  const [stored, result] = await Promise.all([
    env.store.writeBlob(diff.stream, {
      lease: env.lease,
      ...(env.signal === undefined ? {} : { signal: env.signal }),
    }),
    diff.result,
  ]);
  return {
    diffID: result.digest,
    size: stored.size,
    emptyLayer: result.digest === EMPTY_LAYER_DIFF_ID,
    createdAt: new Date().toISOString(),
  };
}

/**
 * Moves `dir` to `target` unless something is there already (another build made the same layer);
 * returns whether `target` now holds the tree. `dir` is gone either way.
 */
export async function keepDir(dir: string, target: string): Promise<boolean> {
  if ((await stat(target).catch(() => undefined))?.isDirectory()) {
    await rm(dir, { recursive: true, force: true });
    return true;
  }
  try {
    await mkdir(dirname(target), { recursive: true });
    await rename(dir, target);
    return true;
  } catch {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    return (await stat(target).catch(() => undefined))?.isDirectory() === true;
  }
}

/** The kept snapshot directory of a layer. */
export function layerSnapshotDir(env: WorkerEnv, diffID: Digest): string {
  return layerDir(env.dirs.layers, diffID);
}
