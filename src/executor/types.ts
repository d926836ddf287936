/**
 * The executor's input and output: one RUN step in a prepared root filesystem.
 */
import type { OwnerEmulation } from '../idshift/index.js';

/** A mount into the step's filesystem. `target` is an absolute path inside the rootfs. */
export type Mount =
  | {
      /** Bind a host directory or file (cache dirs, build context, secrets as files, ssh sockets). */
      readonly kind: 'bind';
      readonly source: string;
      readonly target: string;
      readonly readonly: boolean;
    }
  | {
      /** A fresh tmpfs; `sizeBytes` limits it (default: the kernel's half of RAM). */
      readonly kind: 'tmpfs';
      readonly target: string;
      readonly sizeBytes?: number;
      readonly mode?: number;
    }
  | {
      /** A single file with the given content (written to a private temp file, bound read-only). */
      readonly kind: 'file';
      readonly target: string;
      readonly content: Uint8Array | string;
      readonly mode?: number;
    };

/** A resource limit: `name` as docker and prlimit(1) spell it (`nofile`, `nproc`…). */
export interface StepUlimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

/** The network of a step: the host's (like rootless BuildKit's default) or a new namespace with only `lo`. */
export type StepNetwork = 'host' | 'none';

/**
 * How a step is isolated, chosen once by `probeIsolation` (or forced by a flag):
 * - `oci`: an OCI runtime (crun or runc) with a generated spec: capabilities, no_new_privileges,
 *   masked/read-only paths, seccomp;
 * - `chroot`: util-linux unshare (pid, mount, ipc, uts namespaces, fresh /proc) + chroot;
 * - `no-pid-sandbox`: like chroot but /proc is the parent's (bind mount) for environments where a new
 *   /proc cannot be mounted (unprivileged Kubernetes pods / containers with masked /proc).
 */
export type Isolation =
  | { readonly kind: 'oci'; readonly runtime: 'crun' | 'runc'; readonly path: string }
  | { readonly kind: 'chroot' }
  | { readonly kind: 'no-pid-sandbox' };

/** The names accepted by the isolation flag (`auto` probes). */
export type IsolationName = Isolation['kind'] | 'auto';

/** Facts about the namespace kiln runs in that the executor needs. */
export interface ExecutorNamespace {
  /** Number of uids/gids that exist (ids above cannot be used). */
  readonly uidCount: number;
  readonly gidCount: number;
  /** Whether setgroups(2) is permitted (false in the single-id fallback). */
  readonly setgroups: boolean;
}

export interface RunStepOptions {
  /** The root filesystem (a merged snapshot); only the command's own writes change it. */
  readonly rootfs: string;
  /** argv of the command (already shell-wrapped for shell-form RUN). */
  readonly args: readonly string[];
  /** `KEY=value` entries, the image's environment plus build args. */
  readonly env: readonly string[];
  /** Absolute working directory inside the rootfs; created when missing. */
  readonly cwd: string;
  /** Dockerfile USER form: `name`, `uid`, `name:group`, `uid:gid` ('' means root). */
  readonly user: string;
  readonly hostname: string;
  readonly network: StepNetwork;
  readonly mounts: readonly Mount[];
  readonly isolation: Isolation;
  readonly namespace: ExecutorNamespace;
  /** Extra /etc/hosts lines (`ip name...`), after the defaults. */
  readonly extraHosts?: readonly string[];
  /** Size of the step's /dev/shm (default 64 MiB). */
  readonly shmSizeBytes?: number;
  /** Resource limits of the step's process (`--ulimit`). */
  readonly ulimits?: readonly StepUlimit[];
  /** Contents of /etc/resolv.conf (default: the host's, minus loopback resolvers when network is none). */
  readonly resolvConf?: string;
  readonly onStdout?: (line: string) => void;
  readonly onStderr?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** PATH used to find the host helper programs (unshare, mount, setpriv...); default: /usr/sbin:/usr/bin:/sbin:/bin. */
  readonly hostPath?: string;
  /** Directory for private temporary files (etc files, bundles); default os.tmpdir(). */
  readonly tempDir?: string;
  /**
   * How chown/stat are treated (default native). `seccomp`: the single-id fallback's kiln-idshift
   * helper wraps the process kiln spawns (unshare or the OCI runtime), see src/idshift.
   */
  readonly ownerEmulation?: OwnerEmulation;
}

export interface RunStepResult {
  readonly exitCode: number;
  /**
   * Paths (inside the rootfs, absolute) that kiln created as mount points for this step and removed
   * again afterwards; when one could not be removed (the command wrote into it) it is still listed and
   * the layer differ must skip it.
   */
  readonly createdMountPoints: readonly string[];
}
