/**
 * The OCI distribution client: authentication, pull into and push from the content store, retries.
 */
export { type AuthChallenge, parseChallenges, pickChallenge } from './auth/challenge.js';
export { mergeScopes, type RepositoryAction, repositoryScope } from './auth/scope.js';
export { type BearerToken, parseTokenResponse } from './auth/token.js';
export {
  type PushBlobCommon,
  type PushBlobOptions,
  type PushBlobOutcome,
  pushBlob,
} from './blob-push.js';
export {
  cancelUpload,
  type MountResult,
  mountBlob,
  startUpload,
  uploadChunked,
  uploadMonolithic,
} from './blob-upload.js';
export { fetchBlobInto, headBlob, openBlob } from './blobs.js';
export {
  createRegistryClient,
  type PingResult,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryRequest,
  type RegistryResponse,
} from './client.js';
export {
  assertNotBlocked,
  decideRegistryAccess,
  defaultRegistryConfigPaths,
  EMPTY_REGISTRY_CONFIG,
  findRegistryRule,
  type InsecureReason,
  insecureRegistriesFromEnv,
  loadRegistryConfig,
  mergeRegistryConfigs,
  parseKilnRegistries,
  parseRegistriesConf,
  prefixMatches,
  type RegistryAccess,
  type RegistryAccessInput,
  type RegistryConfig,
  type RegistryConfigPaths,
  type RegistryRule,
  transportOptionsFor,
} from './config/index.js';
export { type AuthFile, normalizeAuthKey, parseAuthFile, readAuthFile } from './credentials/auth-file.js';
export { helperErase, helperGet, helperStore } from './credentials/helper.js';
export { removeCredential, saveCredential } from './credentials/kiln-auth-file.js';
export { type LoadCredentialsOptions, loadCredentials } from './credentials/load.js';
export { type CredentialEnv, type CredentialPaths, defaultCredentialPaths } from './credentials/paths.js';
export { ANONYMOUS, type Credential, type CredentialSource, staticCredentials } from './credentials/types.js';
export { RegistryError, type RegistryErrorEntry, registryErrorFromResponse } from './errors.js';
export {
  type FetchedManifest,
  getManifest,
  headManifest,
  MAX_MANIFEST_SIZE,
  putManifest,
} from './manifests.js';
export { type PullImageOptions, type PullProgress, type PullResult, pullImage } from './pull.js';
export { type PushImageOptions, type PushProgress, type PushResult, pushImage } from './push.js';
export {
  formatImageRef,
  type ImageRef,
  imageRefFrom,
  manifestReference,
  type RepositoryRef,
} from './reference.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { isLoopbackRegistry, registryBaseUrl, type TransportOptions, usesPlainHttp } from './transport.js';
