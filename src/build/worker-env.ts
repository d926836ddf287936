/**
 * Setting up the worker for one build: snapshot directories under the kiln root, the ownership
 * strategy of the namespace, and snapshotter / isolation probes that run only when a step must run
 * (the isolation is probed once per kiln root, see isolation-probe.ts).
 * The executor, snapshotter and idshift modules are imported with them, so a fully cached build never
 * loads them.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../context/index.js';
import type { Isolation, IsolationName, StepNetwork } from '../executor/index.js';
import type { OwnerEmulation } from '../idshift/index.js';
import { nativeOwnership, xattrOwnership } from '../layer/ownership.js';
import type { Digest } from '../oci/digest.js';
import type { SnapshotStrategy } from '../snapshot/index.js';
import type { Lease, LocalStore } from '../store/index.js';
import type { NamespaceContext } from '../userns/index.js';
import type { SnapshotDirs, StepSecretsProvider, WorkerEnv } from '../worker/types.js';
import { forgetIsolation, probeIsolationCached } from './isolation-probe.js';

/** `<kilnRoot>/snapshots/...`; `work` is private to this build (removed by `disposeWorkDir`). */
export function snapshotDirs(kilnRoot: string, buildId: string): SnapshotDirs {
  const root = join(kilnRoot, 'snapshots');
  return {
    layers: join(root, 'layers'),
    chains: join(root, 'chains'),
    work: join(root, 'work', buildId),
    locks: join(root, 'locks'),
  };
}

export interface WorkerEnvOptions {
  readonly store: LocalStore;
  readonly lease: Lease;
  readonly context: BuildContext;
  readonly namespace: NamespaceContext;
  readonly buildId: string;
  readonly network: StepNetwork;
  readonly isolation: IsolationName;
  readonly snapshotter: SnapshotStrategy['kind'] | 'auto';
  readonly pathVar: string | undefined;
  readonly sourceDateEpoch?: number;
  readonly blobs: ReadonlyMap<Digest, Digest>;
  readonly secrets?: StepSecretsProvider;
  readonly signal?: AbortSignal;
  /** Non-fatal findings while preparing (e.g. the single-id fallback without its chown helper). */
  readonly warn?: (message: string, hint?: string) => void;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make();
    return pending;
  };
}

/** Makes the directories and the worker environment. */
export async function createWorkerEnv(options: WorkerEnvOptions): Promise<WorkerEnv> {
  const dirs = snapshotDirs(join(options.store.paths.kilnRoot), options.buildId);
  for (const dir of [dirs.layers, dirs.chains, dirs.work, dirs.locks]) await mkdir(dir, { recursive: true });
  const strategy = once(async (): Promise<SnapshotStrategy> => {
    const { probeSnapshotter } = await import('../snapshot/index.js');
    const probed = await probeSnapshotter({
      workRoot: dirs.work,
      inUserNamespace: options.namespace.kind !== 'root',
      pathVar: options.pathVar,
      requested: options.snapshotter,
    });
    return probed.strategy;
  });
  const isolation = once(
    (): Promise<Isolation> =>
      probeIsolationCached(options.store.paths.kilnRoot, {
        requested: options.isolation,
        namespace: options.namespace,
        pathVar: options.pathVar,
        tempDir: dirs.work,
      }),
  );
  const ownerEmulation = once(async (): Promise<OwnerEmulation> => {
    const { prepareOwnerEmulation } = await import('../idshift/index.js');
    return prepareOwnerEmulation({
      ownership: options.namespace.ownership,
      kilnRoot: options.store.paths.kilnRoot,
      workDir: dirs.work,
      ...(options.pathVar === undefined ? {} : { pathVar: options.pathVar }),
      warn: options.warn ?? (() => {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  });
  return {
    store: options.store,
    lease: options.lease,
    dirs,
    strategy,
    isolation,
    isolationFailed: () => forgetIsolation(options.store.paths.kilnRoot),
    ownerEmulation,
    namespace: options.namespace,
    ownership: options.namespace.ownership === 'native' ? nativeOwnership() : xattrOwnership(),
    context: options.context,
    defaultNetwork: options.network,
    ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
    ...(options.pathVar === undefined ? {} : { hostPath: options.pathVar }),
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    blobOf: (diffID) => options.blobs.get(diffID) ?? diffID,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

/** Removes the build's private work directory. */
export async function disposeWorkDir(env: WorkerEnv): Promise<void> {
  await rm(env.dirs.work, { recursive: true, force: true });
}
