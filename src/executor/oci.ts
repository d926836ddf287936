/**
 * The `oci` isolation strategy: write a bundle (config.json pointing at the rootfs) and run it with
 * crun or runc (`RUNTIME --root STATE run --bundle B ID`); abort = `kill ID KILL`; always `delete --force`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { wrapWithIdshift } from '../idshift/index.js';
import { ociSpec } from './oci-spec.js';
import type { PreparedStep } from './prepare.js';
import { spawnStep } from './spawn-step.js';
import type { Isolation, RunStepOptions } from './types.js';

type OciIsolation = Extract<Isolation, { kind: 'oci' }>;

/** Global runtime flags: a private state dir; crun must not touch cgroups (none are delegated to us). */
export function runtimeGlobalArgs(isolation: OciIsolation, stateDir: string): string[] {
  return isolation.runtime === 'crun'
    ? [`--root=${stateDir}`, '--cgroup-manager=disabled']
    : ['--root', stateDir];
}

function quiet(program: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** Runs a prepared step in an OCI runtime; resolves with the command's exit code. */
export async function runOci(
  options: RunStepOptions,
  step: PreparedStep,
  isolation: OciIsolation,
): Promise<number> {
  const bundle = join(step.tempDir, 'bundle');
  const state = join(step.tempDir, 'state');
  await mkdir(bundle, { mode: 0o700 });
  await mkdir(state, { mode: 0o700 });
  const spec = ociSpec({
    step,
    args: options.args,
    hostname: options.hostname,
    network: options.network,
    gidCount: options.namespace.gidCount,
    arch: process.arch,
    seccomp: true,
    ...(options.shmSizeBytes === undefined ? {} : { shmSizeBytes: options.shmSizeBytes }),
    ...(options.ulimits === undefined ? {} : { ulimits: options.ulimits }),
  });
  // config.json holds the step's environment: private to the user, inside the 0700 bundle dir.
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
  const id = `kiln-${randomBytes(8).toString('hex')}`;
  const global = runtimeGlobalArgs(isolation, state);
  const log = join(step.tempDir, 'runtime.log');
  try {
    const command = wrapWithIdshift(
      {
        program: isolation.path,
        args: [...global, '--log', log, '--log-format', 'json', 'run', '--bundle', bundle, id],
      },
      options.ownerEmulation ?? { kind: 'native' },
    );
    const code = await spawnStep({
      ...command,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', XDG_RUNTIME_DIR: state },
      onStdout: options.onStdout,
      onStderr: options.onStderr,
      signal: options.signal,
      kill: async () => {
        await quiet(isolation.path, [...global, 'kill', id, 'KILL']);
      },
    });
    if (code !== 0) {
      const failure = runtimeFailure(await readFile(log, 'utf8').catch(() => ''));
      if (failure !== undefined) {
        throw new KilnError(ErrorCode.Executor, `${isolation.runtime} could not run the step: ${failure}`, {
          hint: 'try another isolation (--isolation chroot) or check the runtime set-up; see docs/rootless.md',
        });
      }
    }
    return code;
  } finally {
    await quiet(isolation.path, [...global, 'delete', '--force', id]);
  }
}

/**
 * The runtime's own error (as opposed to the command's exit status), from its JSON log: the last
 * entry with level error/fatal, or undefined when the runtime logged none.
 */
export function runtimeFailure(logText: string): string | undefined {
  let found: string | undefined;
  for (const line of logText.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && typeof entry.msg === 'string')
        found = entry.msg;
    } catch {
      // not JSON: ignore
    }
  }
  return found;
}
