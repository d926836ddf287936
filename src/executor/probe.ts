/**
 * Choosing the isolation strategy once, by running `true` from the host's /usr in a throw-away rootfs
 * under each candidate, in order of preference: oci (crun, then runc), chroot, no-pid-sandbox.
 */
import { lstat, mkdir, mkdtemp, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isKilnError, KilnError } from '../errors.js';
import { findProgram } from '../userns/prerequisites.js';
import { runStep } from './run-step.js';
import type { ExecutorNamespace, Isolation, IsolationName, Mount } from './types.js';

export interface ProbeIsolationOptions {
  /** `auto` tries every strategy; `oci` tries the runtimes; the others are taken as they are. */
  readonly requested: IsolationName;
  readonly namespace: ExecutorNamespace;
  readonly pathVar: string | undefined;
  readonly tempDir?: string;
}

/** One tried candidate and why it was refused. */
export interface ProbeAttempt {
  readonly isolation: Isolation;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface ProbeIsolationResult {
  readonly isolation: Isolation;
  readonly attempts: readonly ProbeAttempt[];
}

const HOST_TOP = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

async function probeRootfs(dir: string): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const name of HOST_TOP) {
    const st = await lstat(`/${name}`).catch(() => undefined);
    if (st === undefined) continue;
    if (st.isSymbolicLink()) await symlink(await readlink(`/${name}`), join(dir, name));
    else if (st.isDirectory())
      mounts.push({ kind: 'bind', source: `/${name}`, target: `/${name}`, readonly: true });
  }
  return mounts;
}

async function candidates(requested: IsolationName, pathVar: string | undefined): Promise<Isolation[]> {
  const runtimes: Isolation[] = [];
  for (const runtime of ['crun', 'runc'] as const) {
    const path = await findProgram(runtime, pathVar);
    if (path !== undefined) runtimes.push({ kind: 'oci', runtime, path });
  }
  switch (requested) {
    case 'auto':
      return [...runtimes, { kind: 'chroot' }, { kind: 'no-pid-sandbox' }];
    case 'oci':
      if (runtimes.length === 0) {
        throw new KilnError(ErrorCode.Executor, 'no OCI runtime (crun or runc) found on PATH', {
          hint: 'install crun or runc, or use --isolation chroot',
        });
      }
      return runtimes;
    case 'chroot':
    case 'no-pid-sandbox':
      return [{ kind: requested }];
  }
}

/** Picks the isolation; throws E_EXECUTOR listing every refusal when nothing works. */
export async function probeIsolation(options: ProbeIsolationOptions): Promise<ProbeIsolationResult> {
  const list = await candidates(options.requested, options.pathVar);
  if (options.requested === 'chroot' || options.requested === 'no-pid-sandbox') {
    return { isolation: list[0]!, attempts: [] };
  }
  const truePath = (await findProgram('true', options.pathVar)) ?? '/usr/bin/true';
  const work = await mkdtemp(join(options.tempDir ?? tmpdir(), 'kiln-probe-'));
  const attempts: ProbeAttempt[] = [];
  try {
    for (const isolation of list) {
      const rootfs = join(work, `rootfs-${attempts.length}`);
      await mkdir(rootfs);
      const stderr: string[] = [];
      try {
        const result = await runStep({
          rootfs,
          args: [truePath],
          env: [],
          cwd: '/',
          user: '0:0',
          hostname: 'kiln-probe',
          network: 'host',
          mounts: await probeRootfs(rootfs),
          isolation,
          namespace: options.namespace,
          onStderr: (line) => stderr.push(line),
          tempDir: work,
          hostPath: options.pathVar,
        });
        if (result.exitCode === 0) {
          attempts.push({ isolation, ok: true });
          return { isolation, attempts };
        }
        attempts.push({ isolation, ok: false, reason: stderr.join(' ') || `exit status ${result.exitCode}` });
      } catch (error) {
        attempts.push({ isolation, ok: false, reason: isKilnError(error) ? error.message : String(error) });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  throw new KilnError(
    ErrorCode.Executor,
    `no isolation strategy works here: ${attempts.map((a) => `${describeIsolation(a.isolation)}: ${a.reason}`).join('; ')}`,
    { hint: 'see docs/rootless.md for the requirements of each mode' },
  );
}

/** A short name for messages: `oci (runc)`, `chroot`, `no-pid-sandbox`. */
export function describeIsolation(isolation: Isolation): string {
  return isolation.kind === 'oci' ? `oci (${isolation.runtime})` : isolation.kind;
}
