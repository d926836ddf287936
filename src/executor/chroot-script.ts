/**
 * The shell script of the `chroot` and `no-pid-sandbox` strategies (pure). It runs as pid 1 of fresh
 * pid, mount, ipc, uts (and for network none: net) namespaces created by
 *
 *   unshare --mount --propagation private --uts --ipc --pid --fork --kill-child=SIGKILL [--net] -- sh -c SCRIPT
 *
 * and sets up the mounts with host tools before handing over, so nothing it mounts outlives the step:
 *   /dev: a tmpfs with null zero full random urandom tty bound from the host (mknod is impossible in a
 *         user namespace), a private devpts instance, a tmpfs /dev/shm, the fd/stdin/stdout/stderr links;
 *   /proc: a fresh procfs (chroot) or the parent's /proc bound recursively (no-pid-sandbox), with
 *         kcore, keys, timer_list, sched_debug masked by /dev/null;
 *   /sys: the host's, bound recursively and made read-only;
 *   /etc/hosts, /etc/resolv.conf, /etc/hostname: bound from the step's temp dir;
 *   the step's own mounts, in order.
 * Then: `lo` up (network none), the hostname set, and finally
 *   exec setpriv --bounding-set … --regid G --groups … -- env -i -S 'NAME=${carrier}…' unshare --root R --wd CWD --setuid U -- ARGS
 * so the command runs chrooted, as its user, with BuildKit's default capability set as the bound.
 * The environment's values never appear in this script or on any command line: they travel in the
 * spawned process's environment under carrier names (see step-env.ts).
 */
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import type { HostTools } from './host-tools.js';
import type { PreparedStep } from './prepare.js';
import { shellQuote as q } from './shell-quote.js';
import { shmSizeOption } from './shm-size.js';
import type { EnvHandOver } from './step-env.js';
import type { StepNetwork, StepUlimit } from './types.js';

/** BuildKit's (and Docker's) default capabilities for RUN, in setpriv's spelling. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
];

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const MASKED_PROC = ['kcore', 'keys', 'timer_list', 'sched_debug', 'timer_stats'];

export interface ChrootScriptOptions {
  readonly step: PreparedStep;
  readonly tools: HostTools;
  readonly args: readonly string[];
  readonly network: StepNetwork;
  readonly hostname: string;
  readonly proc: 'fresh' | 'bind-host';
  /** setgroups(2) allowed (false in the single-id fallback: groups are kept as they are). */
  readonly setgroups: boolean;
  /** How the environment reaches the command (from `envHandOver(step.env)`). */
  readonly env: EnvHandOver;
  /** Size of /dev/shm (default 64 MiB). */
  readonly shmSizeBytes?: number;
  /** Resource limits, set on the script's shell with prlimit(1) and inherited by the command. */
  readonly ulimits?: readonly StepUlimit[];
}

/** The outer unshare arguments (program = tools.unshare). */
export function chrootUnshareArgs(network: StepNetwork): string[] {
  const net = network === 'none' ? ['--net'] : network === 'host' ? [] : assertNever(network, 'network');
  return [
    '--mount',
    '--propagation',
    'private',
    '--uts',
    '--ipc',
    '--pid',
    '--fork',
    '--kill-child=SIGKILL',
    ...net,
  ];
}

/** `prlimit --pid $$ --nofile=S:H …` for the script's shell (the command inherits it), or none. */
function ulimitLine(tools: HostTools, ulimits: readonly StepUlimit[]): string | undefined {
  if (ulimits.length === 0) return undefined;
  if (tools.prlimit === undefined) {
    throw new KilnError(ErrorCode.Executor, '--ulimit needs prlimit, which was not found on PATH', {
      hint: 'install util-linux, or use --isolation oci',
    });
  }
  return [q(tools.prlimit), '--pid', '$$', ...ulimits.map((u) => q(`--${u.name}=${u.soft}:${u.hard}`))].join(
    ' ',
  );
}

/** Renders the set-up script. */
export function chrootScript(options: ChrootScriptOptions): string {
  const { step, tools } = options;
  const m = q(tools.mount);
  const dev = step.dev;
  const lines: string[] = ['set -e'];
  lines.push(`${m} -t tmpfs -o nosuid,mode=0755,size=16m kiln-dev ${q(dev)}`);
  for (const d of DEVICES) {
    lines.push(`: > ${q(`${dev}/${d}`)} && ${m} --bind ${q(`/dev/${d}`)} ${q(`${dev}/${d}`)} || true`);
  }
  lines.push(`mkdir ${q(`${dev}/pts`)} ${q(`${dev}/shm`)}`);
  lines.push(
    `if ${m} -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec kiln-devpts ${q(`${dev}/pts`)} 2>/dev/null; ` +
      `then ln -s pts/ptmx ${q(`${dev}/ptmx`)}; fi`,
  );
  lines.push(
    `${m} -t tmpfs -o nosuid,nodev,noexec,mode=1777,${shmSizeOption(options.shmSizeBytes)} kiln-shm ${q(`${dev}/shm`)}`,
  );
  lines.push(`ln -s /proc/self/fd ${q(`${dev}/fd`)}`);
  for (const [fd, name] of ['stdin', 'stdout', 'stderr'].entries()) {
    lines.push(`ln -s /proc/self/fd/${fd} ${q(`${dev}/${name}`)}`);
  }
  if (options.proc === 'fresh') lines.push(`${m} -t proc -o nosuid,nodev,noexec kiln-proc ${q(step.proc)}`);
  else lines.push(`${m} --rbind /proc ${q(step.proc)}`);
  for (const p of MASKED_PROC) {
    const target = q(`${step.proc}/${p}`);
    lines.push(`if [ -f ${target} ]; then ${m} --bind /dev/null ${target} 2>/dev/null || true; fi`);
  }
  lines.push(`${m} --rbind /sys ${q(step.sys)}`);
  lines.push(`${m} -o remount,bind,ro,nosuid,nodev,noexec ${q(step.sys)}`);
  for (const [source, target] of step.etc) lines.push(`${m} --bind ${q(source)} ${q(target)}`);
  for (const mount of step.mounts) {
    switch (mount.kind) {
      case 'bind':
        lines.push(`${m} --rbind ${q(mount.source)} ${q(mount.hostTarget)}`);
        if (mount.readonly) lines.push(`${m} -o remount,bind,ro ${q(mount.hostTarget)}`);
        break;
      case 'tmpfs': {
        const opts = ['nosuid', 'nodev'];
        if (mount.sizeBytes !== undefined) opts.push(`size=${mount.sizeBytes}`);
        if (mount.mode !== undefined) opts.push(`mode=${mount.mode.toString(8).padStart(4, '0')}`);
        lines.push(`${m} -t tmpfs -o ${opts.join(',')} kiln-tmpfs ${q(mount.hostTarget)}`);
        break;
      }
      default:
        assertNever(mount, 'mount');
    }
  }
  if (options.network === 'none' && tools.ip !== undefined) lines.push(`${q(tools.ip)} link set lo up`);
  if (tools.hostname !== undefined) {
    // Container seccomp profiles (podman, Kubernetes) may refuse sethostname even in a nested UTS
    // namespace; no-pid-sandbox mode is meant for those environments, so there it is best effort.
    const tolerate = options.proc === 'bind-host' ? ' 2>/dev/null || true' : '';
    lines.push(`${q(tools.hostname)} ${q(options.hostname)}${tolerate}`);
  }
  const limits = ulimitLine(tools, options.ulimits ?? []);
  if (limits !== undefined) lines.push(limits);
  const { user } = step;
  const groups = options.setgroups
    ? user.additionalGids.length > 0
      ? [`--groups=${user.additionalGids.join(',')}`]
      : ['--clear-groups']
    : ['--keep-groups'];
  const exec = [
    tools.setpriv,
    `--bounding-set=-all,${DEFAULT_CAPABILITIES.map((c) => `+${c}`).join(',')}`,
    `--regid=${user.gid}`,
    ...groups,
    '--',
    tools.env,
    '-i',
    '-S',
    options.env.splitString,
    tools.unshare,
    `--root=${step.root}`,
    `--wd=${step.cwd}`,
    `--setuid=${user.uid}`,
    '--',
    ...options.args,
  ];
  lines.push(`exec ${exec.map(q).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
