/**
 * The library's build API types: what `build()` takes and returns.
 */
import type { Readable, Writable } from 'node:stream';
import type { BuildContextValue } from '../archive/index.js';
import type { IsolationName, StepNetwork } from '../executor/index.js';
import type { OutputSpec } from '../export/output-spec.js';
import type { Digest } from '../oci/digest.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci/types.js';
import type { ExtraHost, Ulimit } from '../plan/types.js';
import type { Clock, ProgressListener } from '../progress/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { SecretSource, SshSpec } from '../secrets/index.js';
import type { SnapshotStrategy } from '../snapshot/index.js';
import type { NamespaceContext } from '../userns/index.js';

/** Where the build context comes from. */
export type BuildContextInput =
  /** A directory on disk. */
  | { readonly kind: 'dir'; readonly path: string }
  /** docker's `build -`: a tar context or a Dockerfile on this stream. */
  | { readonly kind: 'stdin'; readonly stream: Readable };

export interface BuildOptions {
  readonly context: BuildContextInput;
  /** Dockerfile path (absolute, or relative to the context); default `Dockerfile`. */
  readonly dockerfile?: string;
  /** Dockerfile text given directly (`-f -`); wins over `dockerfile`. */
  readonly dockerfileText?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** Target platform; the host's by default. */
  readonly platform?: PlatformSpec;
  /** `--label` values for the target image. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Names to tag the image with. */
  readonly tags?: readonly string[];
  /** Ignore the cache for every step. */
  readonly noCache?: boolean;
  /** Ignore the cache for the steps of these stages (names or indexes). */
  readonly noCacheFilter?: readonly string[];
  /** Always fetch base images from their registry (default: the local store first). */
  readonly pull?: boolean;
  /** Network of RUN steps without `--network` (default host, like rootless BuildKit). */
  readonly network?: StepNetwork;
  /** `--add-host`: extra /etc/hosts entries of every RUN step (`{ host, ip }`; part of their cache keys). */
  readonly extraHosts?: readonly ExtraHost[];
  /** `--shm-size`: size of /dev/shm in RUN steps, in bytes (default 64 MiB; part of their cache keys). */
  readonly shmSizeBytes?: number;
  /** `--ulimit`: resource limits of every RUN step (part of their cache keys). */
  readonly ulimits?: readonly Ulimit[];
  /** `--annotation`: annotations of the image manifest (OCI media types only). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Outputs besides the local store (default: the store only). */
  readonly outputs?: readonly OutputSpec[];
  readonly isolation?: IsolationName;
  readonly snapshotter?: SnapshotStrategy['kind'] | 'auto';
  /** Steps running at once (default 4). */
  readonly jobs?: number;
  /** SOURCE_DATE_EPOCH in seconds. */
  readonly sourceDateEpoch?: number;
  /** `--secret` sources for `RUN --mount=type=secret`. */
  readonly secrets?: readonly SecretSource[];
  /** `--ssh` agents for `RUN --mount=type=ssh`. */
  readonly ssh?: readonly SshSpec[];
  /** `--build-context NAME=VALUE` mappings. */
  readonly buildContexts?: ReadonlyMap<string, BuildContextValue>;
  /** The kiln root (default: KILN_ROOT / XDG_DATA_HOME / ~/.local/share/kiln from `env`). */
  readonly storeRoot?: string;
  /** Environment for root resolution and host program lookup (PATH). Default: empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves relative paths (default process.cwd()). */
  readonly cwd?: string;
  /** The user namespace kiln runs in (default: from env KILN_USERNS, or real root). */
  readonly namespace?: NamespaceContext;
  /** Registry clients for pulls and pushes (default: anonymous clients); asked for on first use. */
  readonly registryClient?: (registry: string) => RegistryClient | Promise<RegistryClient>;
  /** Where outputs with `dest=-` write. */
  readonly stdout?: Writable;
  /** Write the image ID (config digest) here. */
  readonly iidFile?: string;
  /** Write build metadata JSON here. */
  readonly metadataFile?: string;
}

export interface BuildHooks {
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
  readonly clock?: Clock;
}

export interface BuildResult {
  /** Digest of the image manifest. */
  readonly imageDigest: Digest;
  /** Digest of the image config (docker's image ID). */
  readonly configDigest: Digest;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
  /** Full ref names the image was tagged with. */
  readonly tags: readonly string[];
  /** Layer steps (RUN/COPY/ADD/WORKDIR) and how many came from the cache. */
  readonly steps: number;
  readonly cachedSteps: number;
}
