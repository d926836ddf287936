/**
 * `kiln build` flags → typed options. Flag names and meanings follow `docker build` / `docker buildx build`.
 */
import { resolve } from 'node:path';
import { type BuildContextValue, parseBuildContexts } from '../archive/base-image.js';
import { ErrorCode, KilnError } from '../errors.js';
import type { IsolationName, StepNetwork } from '../executor/index.js';
import { type OutputSpec, parseOutputSpec } from '../export/output-spec.js';
import type { ExtraHost, Ulimit } from '../plan/types.js';
import { type ProgressMode, parseProgressMode } from '../progress/index.js';
import { parseSecretSpec, type SecretSource } from '../secrets/secret-source.js';
import { parseSshSpec, type SshSpec } from '../secrets/ssh-spec.js';
import { parseAddHost, parseAnnotations, parseShmSize, parseUlimits } from './build-flag-values.js';

/** The raw flags commander collects for `kiln build`. */
export interface BuildFlags {
  readonly file?: string;
  readonly tag: string[];
  readonly buildArg: string[];
  readonly target?: string;
  readonly platform?: string;
  readonly label: string[];
  readonly check?: boolean;
  readonly cache?: boolean;
  /** `--no-cache-filter` (commander names a `--no-` option after what follows the `no-`). */
  readonly cacheFilter?: string[];
  readonly pull?: boolean;
  readonly network?: string;
  readonly output?: string[];
  readonly push?: boolean;
  readonly iidfile?: string;
  readonly metadataFile?: string;
  readonly progress?: string;
  readonly quiet?: boolean;
  readonly isolation?: string;
  readonly snapshotter?: string;
  readonly jobs?: string;
  readonly sourceDateEpoch?: string;
  readonly buildContext?: string[];
  readonly secret?: string[];
  readonly ssh?: string[];
  readonly call?: string;
  readonly provenance?: string | true;
  readonly sbom?: string | true;
  readonly addHost?: string[];
  readonly annotation?: string[];
  readonly shmSize?: string;
  readonly ulimit?: string[];
}

/** What only a real build (not `--check`) uses. */
export interface BuildRunOptions {
  readonly noCache: boolean;
  readonly noCacheFilter: readonly string[];
  readonly pull: boolean;
  readonly network?: StepNetwork;
  readonly outputs: readonly OutputSpec[];
  readonly iidFile?: string;
  readonly metadataFile?: string;
  readonly progress: ProgressMode;
  readonly quiet: boolean;
  readonly isolation: IsolationName;
  readonly snapshotter: 'auto' | 'overlay' | 'fuse-overlayfs' | 'copy';
  readonly jobs?: number;
  readonly sourceDateEpoch?: number;
  readonly buildContexts: ReadonlyMap<string, BuildContextValue>;
  readonly secrets: readonly SecretSource[];
  readonly ssh: readonly SshSpec[];
  readonly extraHosts: readonly ExtraHost[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly shmSizeBytes?: number;
  readonly ulimits: readonly Ulimit[];
}

export interface BuildCliOptions {
  /** Context directory (absolute), or `-` for a context/Dockerfile on stdin. */
  readonly context: string;
  /** Dockerfile path (absolute), or `-` for stdin. */
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platform?: string;
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

const ISOLATIONS = ['auto', 'oci', 'chroot', 'no-pid-sandbox'] as const;
const SNAPSHOTTERS = ['auto', 'overlay', 'fuse-overlayfs', 'copy'] as const;

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new KilnError(ErrorCode.Usage, `invalid ${flag} ${JSON.stringify(value)}`, {
      hint: `use one of: ${allowed.join(', ')}`,
    });
  }
  return found;
}

function positiveInteger(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new KilnError(
      ErrorCode.Usage,
      `invalid ${flag} ${JSON.stringify(value)}: want an integer >= ${min}`,
    );
  }
  return Number(value);
}

/**
 * The flags of a real build. `--push` adds a registry push of the `-t` names; `-q` is `--progress=quiet`
 * plus the image ID on standard output; `--network default` is the host network (as in BuildKit).
 */
export function toBuildRunOptions(flags: BuildFlags, env: NodeJS.ProcessEnv): BuildRunOptions {
  const outputs = (flags.output ?? []).map(parseOutputSpec);
  if (flags.push === true) outputs.push({ kind: 'registry', names: [] });
  const quiet = flags.quiet === true;
  const progress = quiet ? 'quiet' : parseProgressMode(flags.progress ?? env.BUILDKIT_PROGRESS ?? 'auto');
  let network: StepNetwork | undefined;
  if (flags.network !== undefined) {
    const mode = oneOf('--network', flags.network, ['default', 'host', 'none'] as const);
    network = mode === 'none' ? 'none' : 'host';
  }
  const epoch = flags.sourceDateEpoch ?? env.SOURCE_DATE_EPOCH;
  return {
    noCache: flags.cache === false,
    noCacheFilter: (flags.cacheFilter ?? []).flatMap((v) => v.split(',')).filter((v) => v !== ''),
    pull: flags.pull === true,
    ...(network === undefined ? {} : { network }),
    outputs,
    ...(flags.iidfile === undefined ? {} : { iidFile: flags.iidfile }),
    ...(flags.metadataFile === undefined ? {} : { metadataFile: flags.metadataFile }),
    progress,
    quiet,
    // docker's --isolation=default means "the platform's default": kiln's probe.
    isolation: oneOf(
      '--isolation',
      flags.isolation === 'default' ? 'auto' : (flags.isolation ?? 'auto'),
      ISOLATIONS,
    ),
    snapshotter: oneOf('--snapshotter', flags.snapshotter ?? env.KILN_SNAPSHOTTER ?? 'auto', SNAPSHOTTERS),
    ...(flags.jobs === undefined ? {} : { jobs: positiveInteger('--jobs', flags.jobs, 1) }),
    ...(epoch === undefined || epoch === ''
      ? {}
      : { sourceDateEpoch: positiveInteger('--source-date-epoch', epoch, 0) }),
    buildContexts: parseBuildContexts(flags.buildContext ?? []),
    secrets: (flags.secret ?? []).map(parseSecretSpec),
    ssh: (flags.ssh ?? []).map(parseSshSpec),
    extraHosts: (flags.addHost ?? []).map(parseAddHost),
    annotations: parseAnnotations(flags.annotation ?? []),
    ...(flags.shmSize === undefined ? {} : { shmSizeBytes: parseShmSize(flags.shmSize) }),
    ulimits: parseUlimits(flags.ulimit ?? []),
  };
}

/**
 * `--build-arg K=V` sets K; `--build-arg K` takes K from the environment and is ignored when K is unset
 * (docker's behaviour).
 */
export function parseBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const args: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (key === '')
      throw new KilnError(ErrorCode.Usage, `invalid --build-arg ${JSON.stringify(value)}: empty name`);
    if (eq >= 0) args[key] = value.slice(eq + 1);
    else if (env[key] !== undefined) args[key] = env[key];
  }
  return args;
}

export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (key === '')
      throw new KilnError(ErrorCode.Usage, `invalid --label ${JSON.stringify(value)}: empty name`);
    labels[key] = eq < 0 ? '' : value.slice(eq + 1);
  }
  return labels;
}

/** Resolves paths like docker: `-f` relative to the working directory, default `CONTEXT/Dockerfile`. */
export function toBuildCliOptions(
  contextArg: string,
  flags: BuildFlags,
  cwd: string,
  env: NodeJS.ProcessEnv,
): BuildCliOptions {
  const context = contextArg === '-' ? '-' : resolve(cwd, contextArg);
  let dockerfile: string;
  if (flags.file === '-') dockerfile = '-';
  else if (flags.file !== undefined) dockerfile = resolve(cwd, flags.file);
  else if (context === '-') dockerfile = '-';
  else dockerfile = resolve(context, 'Dockerfile');
  return {
    context,
    dockerfile,
    buildArgs: parseBuildArgs(flags.buildArg, env),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.platform === undefined ? {} : { platform: flags.platform }),
    tags: flags.tag,
    labels: parseLabels(flags.label),
  };
}
