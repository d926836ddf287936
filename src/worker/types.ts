/**
 * What the worker (exec and file ops) works with: the build-wide environment, filesystem states of
 * ops, and the layers ops produce.
 */
import type { BuildContext } from '../context/index.js';
import type { SecretMount, SshMount } from '../dockerfile/instructions/types.js';
import type { SourceLocation } from '../errors.js';
import type { Isolation, StepNetwork } from '../executor/index.js';
import type { OwnerEmulation } from '../idshift/index.js';
import type { OwnershipStrategy } from '../layer/index.js';
import type { Digest } from '../oci/digest.js';
import type { StepSecrets, StepSsh } from '../secrets/index.js';
import type { SnapshotStrategy } from '../snapshot/index.js';
import type { Lease, LocalStore } from '../store/index.js';
import type { NamespaceContext } from '../userns/index.js';

/**
 * The filesystem an op leaves behind, described without materialising it: the non-empty layers
 * bottom-first, and (when every layer has a kept snapshot directory) the overlay-form lower
 * directories top-first. Without `lowers` the tree is rebuilt as one flattened chain directory.
 */
export interface FsState {
  readonly diffIDs: readonly Digest[];
  readonly lowers?: readonly string[];
}

/** The empty filesystem (FROM scratch). */
export const EMPTY_FS: FsState = { diffIDs: [], lowers: [] };

/** The layer an exec or file op made. */
export interface LayerResult {
  readonly diffID: Digest;
  readonly size: number;
  readonly emptyLayer: boolean;
  readonly createdAt: string;
}

/** Directories under the kiln root used by builds. */
export interface SnapshotDirs {
  /** `<root>/snapshots/layers/<alg>/<hex>`: one kept, overlay-form layer directory per diffID. */
  readonly layers: string;
  /** `<root>/snapshots/chains/<alg>/<hex>`: flattened trees, one per chain ID. */
  readonly chains: string;
  /** Per-build working state (overlay upper/work/merged dirs, staging). */
  readonly work: string;
  /** Inter-process locks for chain creation. */
  readonly locks: string;
}

/** Gives RUN steps their `--mount=type=secret` files and environment (see src/secrets). */
export interface StepSecretsProvider {
  prepare(mounts: readonly SecretMount[], stepId: string, location?: SourceLocation): Promise<StepSecrets>;
  /** `--mount=type=ssh`: per-step agent sockets and SSH_AUTH_SOCK. */
  prepareSsh(mounts: readonly SshMount[], stepId: string, location?: SourceLocation): Promise<StepSsh>;
}

/** Line output of a running step. */
export type StepLog = (stream: 'stdout' | 'stderr', line: string) => void;

/** Everything the worker needs, chosen once per build. */
export interface WorkerEnv {
  readonly store: LocalStore;
  readonly lease: Lease;
  readonly dirs: SnapshotDirs;
  /** The snapshot strategy, probed on first use (a fully cached build never probes). */
  strategy(): Promise<SnapshotStrategy>;
  /** The RUN isolation, probed on first use. */
  isolation(): Promise<Isolation>;
  /** Called when the runtime of `isolation()` failed to run a step (E_EXECUTOR): forget a stored probe. */
  readonly isolationFailed?: () => Promise<void>;
  /** chown/stat emulation for RUN (single-id fallback), prepared on first use; absent = native. */
  readonly ownerEmulation?: () => Promise<OwnerEmulation>;
  readonly namespace: NamespaceContext;
  readonly ownership: OwnershipStrategy;
  readonly context: BuildContext;
  /** Network of RUN steps whose instruction says `default`. */
  readonly defaultNetwork: StepNetwork;
  readonly sourceDateEpoch?: number;
  /** Secrets for RUN --mount=type=secret (absent: such mounts fail as not provided). */
  readonly secrets?: StepSecretsProvider;
  /** PATH for host helper programs (flock, cp…). */
  readonly hostPath?: string;
  /** The stored blob of a layer (base-image layers are compressed blobs; built ones are the diffID). */
  blobOf(diffID: Digest): Digest;
  readonly signal?: AbortSignal;
}
