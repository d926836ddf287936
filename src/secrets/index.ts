/**
 * Build secrets and SSH agent forwarding: `--secret` / `--ssh` sources, the per-step secret and ssh
 * mounts (files on tmpfs only, env for one step), output masking, and the post-build leak scan.
 * The Dockerfile check for secrets in ARG/ENV (SecretsUsedInArgOrEnv) lives in dockerfile/stages.
 */

export {
  type MatcherOptions,
  type MatchStream,
  MultiPatternMatcher,
  type PatternMatch,
} from './multi-pattern-matcher.js';
export { MASK, type MaskedLines, maskingTransform, maskLines, SecretMasker } from './output-masker.js';
export {
  describeLeakLocation,
  type LeakAttribution,
  type LeakLocation,
  type LeakStep,
  type ScanForSecretsOptions,
  type SecretLeak,
  scanForSecrets,
  secretLeakError,
} from './scan-for-secrets.js';
export {
  base64Fragment,
  MIN_SECRET_BYTES,
  type NamedSecret,
  type SecretForm,
  type SecretPattern,
  secretPatterns,
} from './secret-forms.js';
export { prepareSecretMounts, type SecretMountsOptions, type StepSecrets } from './secret-mounts.js';
export { parseSecretSpec, type SecretSource } from './secret-source.js';
export {
  createSecretStore,
  DEFAULT_MAX_SECRET_BYTES,
  missingRequired,
  type SecretStore,
  type SecretStoreOptions,
} from './secret-store.js';
export { type SshAgents, type StartSshAgentsOptions, startSshAgents } from './ssh-agents.js';
export { prepareSshMounts, type SshMountsOptions, type StepSsh } from './ssh-mounts.js';
export { isEncryptedPrivateKey, parseSshSpec, type SshSpec } from './ssh-spec.js';
export {
  isMemoryFileSystem,
  type OpenTmpfsScratchOptions,
  openTmpfsScratch,
  type TmpfsScratch,
} from './tmpfs-scratch.js';
