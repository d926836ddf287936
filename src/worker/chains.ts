/**
 * Flattened chain directories: all layers of a chain applied in order (whiteouts applied by deleting)
 * into `<chains>/<alg>/<hex of chain ID>`, shared by every build. Made under an inter-process lock in a
 * temp directory and renamed into place, so a chain directory that exists is always complete.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { type Digest, sha256Digest } from '../oci/digest.js';
import { layerDir } from '../snapshot/layer-dirs.js';
import { withFileLock } from '../store/file-lock.js';
import type { WorkerEnv } from './types.js';

/** The OCI chain ID of layers given bottom-first (undefined for no layers). */
export function chainId(diffIDs: readonly Digest[]): Digest | undefined {
  let chain: Digest | undefined;
  for (const diffID of diffIDs) chain = chain === undefined ? diffID : sha256Digest(`${chain} ${diffID}`);
  return chain;
}

/** The directory a chain's flattened tree lives in (whether or not it exists yet). */
export function chainDir(env: WorkerEnv, diffIDs: readonly Digest[]): string | undefined {
  const chain = chainId(diffIDs);
  return chain === undefined ? undefined : layerDir(env.dirs.chains, chain);
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** Returns the flattened tree of `diffIDs` (bottom-first, non-empty), making it when missing. */
export async function ensureChainDir(env: WorkerEnv, diffIDs: readonly Digest[]): Promise<string> {
  const target = chainDir(env, diffIDs);
  if (target === undefined) throw new KilnError(ErrorCode.Internal, 'ensureChainDir: no layers');
  if (await isDir(target)) return target;
  const chain = chainId(diffIDs)!;
  const lock = join(env.dirs.locks, `chain-${chain.replace(':', '-')}.lock`);
  return withFileLock(
    lock,
    async () => {
      if (await isDir(target)) return target;
      const temp = join(env.dirs.work, `chain-${randomUUID()}`);
      // The layer engine loads only when a chain must be made (never in a fully cached build).
      const { applyLayer } = await import('../layer/index.js');
      await mkdir(temp, { recursive: true, mode: 0o755 });
      try {
        for (const diffID of diffIDs) {
          env.signal?.throwIfAborted();
          const blob = await env.store.openBlob(env.blobOf(diffID));
          await applyLayer(blob, {
            root: temp,
            ownership: env.ownership,
            ...(env.signal === undefined ? {} : { signal: env.signal }),
          });
        }
        await mkdir(join(target, '..'), { recursive: true });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { recursive: true, force: true }).catch(() => undefined);
        throw error;
      }
      return target;
    },
    { timeoutMs: 30 * 60_000, ...(env.signal === undefined ? {} : { signal: env.signal }) },
  );
}
