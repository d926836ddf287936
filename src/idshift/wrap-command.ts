/** Wrapping the process that hosts a step so its chown/stat calls are emulated (pure). */
import { assertNever } from '../errors.js';
import type { HostCommand, OwnerEmulation } from './types.js';

/**
 * The command to spawn instead of `command`. The helper must be the outermost process kiln spawns
 * (before unshare / crun), so that it is not itself filtered, shares kiln's pid namespace and /proc,
 * and keeps root of kiln's user namespace (CAP_SYS_CHROOT, CAP_SYS_PTRACE over the step). Killing it
 * kills the wrapped command (PR_SET_PDEATHSIG), which preserves `unshare --kill-child` semantics.
 */
export function wrapWithIdshift(command: HostCommand, emulation: OwnerEmulation): HostCommand {
  switch (emulation.kind) {
    case 'native':
      return command;
    case 'seccomp':
      return {
        program: emulation.helper,
        args: [...(emulation.fakeStat ? [] : ['--no-stat']), '--', command.program, ...command.args],
      };
    default:
      return assertNever(emulation, 'owner emulation');
  }
}
