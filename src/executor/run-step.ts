/**
 * Running one RUN step: prepare (user, env, WORKDIR, /etc files, mount points), run under the chosen
 * isolation, then remove the mount points kiln created.
 */
import { assertNever } from '../errors.js';
import { runChroot } from './chroot.js';
import { findHostTools } from './host-tools.js';
import { runOci } from './oci.js';
import { prepareStep } from './prepare.js';
import type { RunStepOptions, RunStepResult } from './types.js';

/** Runs a command in `rootfs`; the exit code is reported, not thrown (E_ABORTED when aborted). */
export async function runStep(options: RunStepOptions): Promise<RunStepResult> {
  const step = await prepareStep(options);
  let exitCode: number;
  try {
    const isolation = options.isolation;
    switch (isolation.kind) {
      case 'oci':
        exitCode = await runOci(options, step, isolation);
        break;
      case 'chroot':
        exitCode = await runChroot(options, step, await findHostTools(options.hostPath), 'fresh');
        break;
      case 'no-pid-sandbox':
        exitCode = await runChroot(options, step, await findHostTools(options.hostPath), 'bind-host');
        break;
      default:
        assertNever(isolation, 'isolation');
    }
  } finally {
    await step.cleanup();
  }
  return { exitCode, createdMountPoints: step.created };
}
