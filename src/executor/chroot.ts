/** The `chroot` and `no-pid-sandbox` isolation strategies (see chroot-script.ts for the mechanism). */
import { wrapWithIdshift } from '../idshift/index.js';
import { chrootScript, chrootUnshareArgs } from './chroot-script.js';
import type { HostTools } from './host-tools.js';
import type { PreparedStep } from './prepare.js';
import { spawnStep } from './spawn-step.js';
import { envHandOver } from './step-env.js';
import type { RunStepOptions } from './types.js';

/** Runs a prepared step with unshare + chroot; resolves with the command's exit code. */
export async function runChroot(
  options: RunStepOptions,
  step: PreparedStep,
  tools: HostTools,
  proc: 'fresh' | 'bind-host',
): Promise<number> {
  const env = envHandOver(step.env);
  const script = chrootScript({
    step,
    tools,
    args: options.args,
    network: options.network,
    hostname: options.hostname,
    proc,
    setgroups: options.namespace.setgroups,
    env,
    ...(options.shmSizeBytes === undefined ? {} : { shmSizeBytes: options.shmSizeBytes }),
    ...(options.ulimits === undefined ? {} : { ulimits: options.ulimits }),
  });
  const command = wrapWithIdshift(
    {
      program: tools.unshare,
      args: [...chrootUnshareArgs(options.network), '--', tools.sh, '-c', script, 'kiln-step'],
    },
    options.ownerEmulation ?? { kind: 'native' },
  );
  return spawnStep({
    ...command,
    // The step's values ride in the environment (never in argv: /proc/PID/cmdline is world-readable).
    env: { ...env.carriers, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    onStdout: options.onStdout,
    onStderr: options.onStderr,
    signal: options.signal,
    // unshare --kill-child: killing it kills pid 1 of the step's pid namespace, hence every process in it
    // (killing kiln-idshift kills unshare through PR_SET_PDEATHSIG).
    kill: (pid) => {
      process.kill(pid, 'SIGKILL');
    },
  });
}
