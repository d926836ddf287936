/**
 * Entering kiln's user + mount namespace by re-executing the current program.
 *
 * Node cannot unshare(2) itself (it is multi-threaded), so kiln re-executes itself as a child:
 *
 *   unshare --user --mount --propagation private -- /bin/sh -c '<handshake>' kiln-userns ARGV...
 *
 * `unshare` (util-linux) creates the namespaces and execs a tiny shell that writes `ready` on fd 3
 * and blocks reading fd 3. The parent, still outside, then writes the id maps of that pid —
 * `newuidmap PID 0 UID 1 … 1 SUBUID N` / `newgidmap` (setuid helpers that check /etc/subuid) for the
 * subordinate plan, or /proc/PID/{setgroups,uid_map,gid_map} directly for the single-id fallback —
 * and answers `go`; the shell then execs ARGV (fd 3 closed), which now runs as uid 0 with full
 * capabilities in the new namespace. This works with util-linux ≥ 2.23 and shadow's uidmap on any
 * distribution (`unshare --map-users` in util-linux 2.38 cannot combine user→0 with the ranges).
 * The environment variable KILN_USERNS (the NamespaceContext) marks the child, so it never re-enters.
 * As real root only a private mount namespace is created (mounts never leak to the host).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { ErrorCode, KilnError } from '../errors.js';
import {
  contextForPlan,
  contextFromEnv,
  encodeContext,
  type NamespaceContext,
  USERNS_ENV,
} from './context.js';
import { type IdMappingPlan, mapArguments } from './mappings.js';
import { checkPrerequisites, type HostPrerequisites } from './prerequisites.js';

export interface EnterUserNamespaceOptions {
  readonly plan: IdMappingPlan;
  readonly host: HostPrerequisites;
  /** The full command to re-execute, e.g. [process.execPath, ...process.execArgv, ...process.argv.slice(1)]. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Working directory of the child (default: the current one). */
  readonly cwd?: string;
}

/** Either we are already inside (carry on), or the child ran and exited (exit with its status). */
export type EnterResult =
  | { readonly kind: 'inside'; readonly context: NamespaceContext }
  | { readonly kind: 'exited'; readonly exitCode: number };

const HANDSHAKE = 'echo ready >&3 && read -r kiln_go <&3 && [ "$kiln_go" = go ] && exec "$@" 3>&-; exit 125';

/** The unshare arguments for a plan (before `--`). */
function unshareFlags(plan: IdMappingPlan): string[] {
  return plan.kind === 'root'
    ? ['--mount', '--propagation', 'private']
    : ['--user', '--mount', '--propagation', 'private'];
}

async function runHelper(program: string, args: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new KilnError(ErrorCode.UserNamespace, `${program} ${args.join(' ')} failed: ${stderr.trim()}`, {
            hint: 'check that /etc/subuid and /etc/subgid list your user and that newuidmap is setuid root',
          }),
        );
    });
  });
}

async function writeMaps(plan: IdMappingPlan, host: HostPrerequisites, pid: number): Promise<void> {
  switch (plan.kind) {
    case 'root':
      return;
    case 'subordinate':
      // Independent files (/proc/PID/uid_map, gid_map): both setuid helpers run at once.
      await Promise.all([
        runHelper(host.newuidmap!, [String(pid), ...mapArguments(plan.uidMap)]),
        runHelper(host.newgidmap!, [String(pid), ...mapArguments(plan.gidMap)]),
      ]);
      return;
    case 'nested':
    case 'single': {
      const line = (m: { inside: number; outside: number; count: number }) =>
        `${m.inside} ${m.outside} ${m.count}\n`;
      try {
        await writeFile(`/proc/${pid}/uid_map`, plan.uidMap.map(line).join(''));
        // Unprivileged writers must deny setgroups before writing gid_map; a nested root keeps it.
        if (plan.kind === 'single') await writeFile(`/proc/${pid}/setgroups`, 'deny');
        await writeFile(`/proc/${pid}/gid_map`, plan.gidMap.map(line).join(''));
      } catch (cause) {
        throw new KilnError(ErrorCode.UserNamespace, `cannot write the id maps of process ${pid}`, { cause });
      }
      return;
    }
  }
}

/**
 * Ensures the current process runs inside kiln's namespace. Returns `inside` when it already does
 * (KILN_USERNS set); otherwise runs `argv` in a new namespace, waits for it and returns its exit code
 * (signals are forwarded; death by a signal maps to 128+n).
 */
export async function enterUserNamespace(options: EnterUserNamespaceOptions): Promise<EnterResult> {
  const existing = contextFromEnv(options.env);
  if (existing !== undefined) return { kind: 'inside', context: existing };
  const { plan, host } = options;
  checkPrerequisites(plan, host);
  const [program, ...args] = options.argv;
  if (program === undefined) throw new KilnError(ErrorCode.Usage, 'enterUserNamespace: empty argv');
  const context = contextForPlan(plan);
  const child = spawn(
    host.unshare!,
    [...unshareFlags(plan), '--', '/bin/sh', '-c', HANDSHAKE, 'kiln-userns', program, ...args],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      env: { ...options.env, [USERNS_ENV]: encodeContext(context) },
      cwd: options.cwd,
    },
  );
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, forward(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  try {
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', (cause) =>
        reject(new KilnError(ErrorCode.UserNamespace, `cannot run ${host.unshare}`, { cause })),
      );
      child.on('close', (code, signal) => {
        resolve(code ?? 128 + (signal === null ? 1 : (osSignalNumber(signal) ?? 1)));
      });
    });
    const control = child.stdio[3] as NodeJS.ReadWriteStream | null;
    if (control === null) throw new KilnError(ErrorCode.Internal, 'no control pipe to the namespace child');
    const ready = await Promise.race([readLine(control), exited.then(() => undefined)]);
    if (ready !== 'ready') {
      const code = await exited;
      throw new KilnError(
        ErrorCode.UserNamespace,
        `could not create a user namespace (unshare exited ${code})`,
        {
          hint: 'see the unshare message above; user namespaces may be disabled or blocked by a seccomp/AppArmor policy',
        },
      );
    }
    try {
      await writeMaps(plan, host, child.pid!);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    }
    control.write('go\n');
    control.end();
    return { kind: 'exited', exitCode: await exited };
  } finally {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  }
}

function osSignalNumber(signal: NodeJS.Signals): number | undefined {
  return constants.signals[signal];
}

function readLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buffer = '';
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        cleanup();
        resolve(buffer.slice(0, newline));
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onEnd);
  });
}
