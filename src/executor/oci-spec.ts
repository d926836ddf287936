/**
 * The OCI runtime spec (config.json) of a step for the `oci` strategy (pure). kiln already runs as
 * uid 0 of its own user namespace, so the spec asks for no user namespace and no id mappings
 * ("identity" inside ours), no cgroups/resources (rootless runtimes cannot use them without a
 * delegated cgroup), and binds /sys read-only (sysfs cannot be mounted without owning the network
 * namespace). Capabilities, masked and read-only paths follow BuildKit's defaults.
 */
import { assertNever } from '../errors.js';
import { DEFAULT_CAPABILITIES } from './chroot-script.js';
import type { PreparedStep } from './prepare.js';
import { defaultSeccompProfile, type SeccompProfile } from './seccomp.js';
import { shmSizeOption } from './shm-size.js';
import type { StepNetwork, StepUlimit } from './types.js';

export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

export interface OciSpec {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: {
      readonly uid: number;
      readonly gid: number;
      readonly additionalGids?: readonly number[];
    };
    readonly args: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly capabilities: Readonly<Record<'bounding' | 'effective' | 'permitted', readonly string[]>>;
    readonly noNewPrivileges: boolean;
    readonly rlimits?: readonly { readonly type: string; readonly soft: number; readonly hard: number }[];
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: {
    readonly namespaces: readonly { readonly type: string }[];
    readonly maskedPaths: readonly string[];
    readonly readonlyPaths: readonly string[];
    readonly seccomp?: SeccompProfile;
  };
}

export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export interface OciSpecOptions {
  readonly step: PreparedStep;
  readonly args: readonly string[];
  readonly hostname: string;
  readonly network: StepNetwork;
  /** Number of gids mapped: devpts gets gid=5 (tty) only when it exists. */
  readonly gidCount: number;
  /** node's process.arch, for the seccomp architectures. */
  readonly arch: string;
  readonly seccomp: boolean;
  /** Size of /dev/shm (default 64 MiB). */
  readonly shmSizeBytes?: number;
  readonly ulimits?: readonly StepUlimit[];
}

/** Builds config.json for a prepared step. */
export function ociSpec(options: OciSpecOptions): OciSpec {
  const { step } = options;
  const caps = DEFAULT_CAPABILITIES.map((c) => `CAP_${c.toUpperCase()}`);
  const isRoot = step.user.uid === 0;
  const namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  switch (options.network) {
    case 'none':
      namespaces.push({ type: 'network' });
      break;
    case 'host':
      break;
    default:
      assertNever(options.network, 'network');
  }
  const devpts = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
  if (options.gidCount > 5) devpts.push('gid=5');
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: devpts },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', shmSizeOption(options.shmSizeBytes)],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/sys',
      type: 'bind',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    },
    ...step.etc.map(([source, , inside]) => ({
      destination: inside,
      type: 'bind',
      source,
      options: ['rbind', 'rprivate'],
    })),
    ...step.mounts.map((m): OciMount => {
      switch (m.kind) {
        case 'bind':
          return {
            destination: m.target,
            type: 'bind',
            source: m.source,
            options: ['rbind', m.readonly ? 'ro' : 'rw'],
          };
        case 'tmpfs': {
          const opts = ['nosuid', 'nodev'];
          if (m.sizeBytes !== undefined) opts.push(`size=${m.sizeBytes}`);
          if (m.mode !== undefined) opts.push(`mode=${m.mode.toString(8).padStart(4, '0')}`);
          return { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: opts };
        }
        default:
          return assertNever(m, 'mount');
      }
    }),
  ];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: {
        uid: step.user.uid,
        gid: step.user.gid,
        ...(step.user.additionalGids.length > 0 ? { additionalGids: step.user.additionalGids } : {}),
      },
      args: options.args,
      env: step.env,
      cwd: step.cwd,
      capabilities: { bounding: caps, effective: isRoot ? caps : [], permitted: isRoot ? caps : [] },
      noNewPrivileges: true,
      ...(options.ulimits === undefined || options.ulimits.length === 0
        ? {}
        : {
            rlimits: options.ulimits.map((u) => ({
              type: `RLIMIT_${u.name.toUpperCase()}`,
              soft: u.soft,
              hard: u.hard,
            })),
          }),
    },
    root: { path: step.root, readonly: false },
    hostname: options.hostname,
    mounts,
    linux: {
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      ...(options.seccomp ? { seccomp: defaultSeccompProfile(options.arch) } : {}),
    },
  };
}
