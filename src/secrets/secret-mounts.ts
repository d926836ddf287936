/**
 * `RUN --mount=type=secret` → executor mounts and step environment. The secret file is written to the
 * build's tmpfs scratch directory only (never the rootfs or the store) and bound read-only onto its
 * target; `env=NAME` adds `NAME=value` to this step's environment only. The executor creates missing
 * mount points (e.g. /run/secrets and the file stub) and reports them in `createdMountPoints`, so none
 * of them reaches the layer.
 */
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretMount } from '../dockerfile/instructions/types.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { Mount } from '../executor/types.js';
import { missingRequired, type SecretStore } from './secret-store.js';
import type { TmpfsScratch } from './tmpfs-scratch.js';

export interface SecretMountsOptions {
  readonly mounts: readonly SecretMount[];
  readonly store: SecretStore;
  /** A tmpfs scratch directory for the build (see openTmpfsScratch). */
  readonly scratch: TmpfsScratch;
  /** A name for the step's directory under the scratch dir (made unique with a random suffix). */
  readonly stepId: string;
  /** The RUN instruction, for errors about missing required secrets. */
  readonly location?: SourceLocation;
}

/** What one step gets from its secret mounts. */
export interface StepSecrets {
  readonly mounts: readonly Mount[];
  /** `NAME=value` entries to add to this step's environment (never to the image config). */
  readonly env: readonly string[];
  /** The ids actually provided to the step (for the leak scan). */
  readonly usedIds: readonly string[];
  /**
   * A private directory on tmpfs for this step: pass it as the executor's `tempDir` when `env` is not
   * empty, so that the OCI bundle's config.json (which holds the environment) is not written to disk.
   */
  readonly tempDir: string;
  /** Removes the step's secret files. */
  cleanup(): Promise<void>;
}

/** Prepares a step's secret mounts; a missing optional secret is skipped (as BuildKit does). */
export async function prepareSecretMounts(options: SecretMountsOptions): Promise<StepSecrets> {
  const dir = await mkdtemp(
    join(options.scratch.path, `step-${options.stepId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 24)}-`),
  );
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const mounts: Mount[] = [];
    const env: string[] = [];
    const used: string[] = [];
    let index = 0;
    for (const mount of options.mounts) {
      const value = await options.store.get(mount.id);
      if (value === undefined) {
        if (mount.required) throw missingRequired('secret', mount.id, options.location);
        continue;
      }
      used.push(mount.id);
      if (mount.env !== undefined) env.push(`${mount.env}=${envValue(mount, value, options.location)}`);
      if (mount.target !== undefined) {
        const file = join(dir, `secret-${index++}`);
        await writeFile(file, value, { mode: 0o600, flag: 'wx' });
        await applyOwnership(file, mount, options.location);
        mounts.push({ kind: 'bind', source: file, target: mount.target, readonly: true });
      }
    }
    return { mounts, env, usedIds: [...new Set(used)], tempDir: dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function envValue(mount: SecretMount, value: Buffer, location: SourceLocation | undefined): string {
  const text = value.toString('utf8');
  if (text.includes('\0') || !Buffer.from(text, 'utf8').equals(value)) {
    throw new KilnError(
      ErrorCode.Secret,
      `secret ${mount.id} cannot be exposed as env ${mount.env}: it is not NUL-free UTF-8 text`,
      { location },
    );
  }
  return text;
}

async function applyOwnership(file: string, mount: SecretMount, location: SourceLocation | undefined) {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (mount.uid !== uid || mount.gid !== gid) {
    await chown(file, mount.uid, mount.gid).catch((cause: unknown) => {
      throw new KilnError(
        ErrorCode.Secret,
        `secret ${mount.id}: cannot give the file to ${mount.uid}:${mount.gid}: ${(cause as Error).message}`,
        { cause, location },
      );
    });
  }
  await chmod(file, mount.mode & 0o7777);
}
