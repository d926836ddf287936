/**
 * RUN: a writable rootfs over the op's lowers, the command through the executor, the changes as a
 * layer. Overlay strategies keep the upper dir as the layer's snapshot; the copy strategy keeps the
 * whole tree after the step as the new chain directory.
 */
import { randomUUID } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNever, ErrorCode, isKilnError, KilnError, type SourceLocation } from '../errors.js';
import { runStep, type StepNetwork } from '../executor/index.js';
import type { ExecOp, OpId } from '../plan/index.js';
import { prepareRootfs } from '../snapshot/index.js';
import { chainDir } from './chains.js';
import { commitLayer, keepDir, layerSnapshotDir } from './commit-layer.js';
import { type StepResources, secretMounts, sshMounts, toMounts } from './exec-mounts.js';
import { pruneMountPointParents } from './prune-upper.js';
import { lowersOf } from './trees.js';
import type { FsState, LayerResult, StepLog, WorkerEnv } from './types.js';

export interface ExecOpInput {
  readonly op: ExecOp;
  /** Filesystem of `op.rootfs`. */
  readonly rootfs: FsState;
  /** Filesystem of another op (bind mount sources). */
  fsOf(id: OpId): FsState;
  readonly log: StepLog;
  /** Dockerfile location of the instruction, for errors. */
  readonly location?: SourceLocation;
}

export interface ExecOpResult {
  readonly layer: LayerResult;
  /** The op's filesystem afterwards. */
  readonly fs: FsState;
}

function network(env: WorkerEnv, op: ExecOp): StepNetwork {
  switch (op.network) {
    case 'default':
      return env.defaultNetwork;
    case 'host':
    case 'none':
      return op.network;
    default:
      return assertNever(op.network, 'network mode');
  }
}

/** Runs the op; a non-zero exit fails with E_RUN_FAILED at the instruction. */
export async function runExecOp(env: WorkerEnv, input: ExecOpInput): Promise<ExecOpResult> {
  const { op } = input;
  if (op.security === 'insecure') {
    throw new KilnError(ErrorCode.Usage, 'RUN --security=insecure is not supported', {
      ...(input.location === undefined ? {} : { location: input.location }),
    });
  }
  const resources: StepResources = { views: [], caches: [] };
  const lowers = await lowersOf(env, input.rootfs);
  const prepared = await prepareRootfs({
    strategy: await env.strategy(),
    lowers,
    id: `run-${randomUUID()}`,
    workRoot: env.dirs.work,
    ...(env.signal === undefined ? {} : { signal: env.signal }),
  });
  try {
    const mounts = await toMounts(env, input, resources);
    const secrets = await secretMounts(env, input, resources);
    const ssh = await sshMounts(env, input, resources);
    const result = await runStep({
      rootfs: prepared.path,
      args: op.argv,
      env: [
        ...op.env,
        ...Object.entries(op.proxyEnv).map(([k, v]) => `${k}=${v}`),
        ...(secrets?.env ?? []),
        ...(ssh?.env ?? []),
      ],
      cwd: op.cwd,
      user: op.user,
      hostname: 'kiln',
      network: network(env, op),
      ...(op.extraHosts === undefined ? {} : { extraHosts: op.extraHosts.map((h) => `${h.ip}\t${h.host}`) }),
      ...(op.shmSizeBytes === undefined ? {} : { shmSizeBytes: op.shmSizeBytes }),
      ...(op.ulimits === undefined ? {} : { ulimits: op.ulimits }),
      mounts: [...mounts, ...(secrets?.mounts ?? []), ...(ssh?.mounts ?? [])],
      isolation: await env.isolation(),
      namespace: env.namespace,
      ownerEmulation: (await env.ownerEmulation?.()) ?? { kind: 'native' },
      onStdout: (line) => input.log('stdout', line),
      onStderr: (line) => input.log('stderr', line),
      // With secrets in the environment, the OCI bundle (which holds it) stays on tmpfs.
      tempDir: secrets !== undefined && secrets.env.length > 0 ? secrets.tempDir : env.dirs.work,
      ...(env.signal === undefined ? {} : { signal: env.signal }),
    }).catch(async (error: unknown) => {
      // The runtime itself failed: a stored isolation probe may be stale.
      if (isKilnError(error) && error.code === ErrorCode.Executor) await env.isolationFailed?.();
      throw error;
    });
    if (result.exitCode !== 0) {
      throw new KilnError(
        ErrorCode.RunFailed,
        `process "${op.argv.join(' ')}" did not complete successfully: exit code: ${result.exitCode}`,
        { ...(input.location === undefined ? {} : { location: input.location }) },
      );
    }
    const exclude = result.createdMountPoints;
    if (prepared.upperDir !== undefined) {
      await pruneMountPointParents(prepared.upperDir, lowers, exclude);
      const layer = await commitLayer(env, { upper: prepared.upperDir, exclude });
      if (layer.emptyLayer) return { layer, fs: input.rootfs };
      const kept = await keepDir(prepared.upperDir, layerSnapshotDir(env, layer.diffID));
      const diffIDs = [...input.rootfs.diffIDs, layer.diffID];
      return {
        layer,
        fs: kept ? { diffIDs, lowers: [layerSnapshotDir(env, layer.diffID), ...lowers] } : { diffIDs },
      };
    }
    const layer = await commitLayer(env, { upper: prepared.path, lower: prepared.baseDir!, exclude });
    if (layer.emptyLayer) return { layer, fs: input.rootfs };
    const diffIDs = [...input.rootfs.diffIDs, layer.diffID];
    const target = chainDir(env, diffIDs)!;
    // The tree after the step is the flattened chain of its layers (mount points it made excluded).
    const leftovers = await Promise.all(
      exclude.map((p) =>
        lstat(join(prepared.path, p)).then(
          () => true,
          () => false,
        ),
      ),
    );
    const kept = !leftovers.some(Boolean) && (await keepDir(prepared.path, target));
    return { layer, fs: kept ? { diffIDs, lowers: [target] } : { diffIDs } };
  } finally {
    await prepared.cleanup().catch(() => undefined);
    await resources.secrets?.cleanup().catch(() => undefined);
    await resources.ssh?.cleanup().catch(() => undefined);
    for (const cache of resources.caches) await cache.release().catch(() => undefined);
    for (const view of resources.views) await view.release().catch(() => undefined);
  }
}
