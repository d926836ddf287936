/** The RUN executor: one command in a rootfs, in its own namespaces, under a chosen isolation. */
export { DEFAULT_CAPABILITIES } from './chroot-script.js';
export { resolveInRoot } from './in-root.js';
export { type OciSpec, type OciSpecOptions, ociSpec } from './oci-spec.js';
export {
  describeIsolation,
  type ProbeAttempt,
  type ProbeIsolationOptions,
  type ProbeIsolationResult,
  probeIsolation,
} from './probe.js';
export { runStep } from './run-step.js';
export { DENIED_SYSCALLS, defaultSeccompProfile } from './seccomp.js';
export type {
  ExecutorNamespace,
  Isolation,
  IsolationName,
  Mount,
  RunStepOptions,
  RunStepResult,
  StepNetwork,
} from './types.js';
export { type ResolvedUser, type ResolveUserOptions, resolveUser } from './user.js';
