/**
 * Registry configuration: containers' registries.conf (v1 and v2) and kiln's registries.json, and the
 * per-registry access decision (blocked / plain HTTP / HTTPS) they feed.
 */
export {
  assertNotBlocked,
  decideRegistryAccess,
  type InsecureReason,
  insecureRegistriesFromEnv,
  type RegistryAccess,
  type RegistryAccessInput,
  transportOptionsFor,
} from './access.js';
export { parseKilnRegistries } from './kiln-registries-json.js';
export { defaultRegistryConfigPaths, loadRegistryConfig, type RegistryConfigPaths } from './load.js';
export { parseRegistriesConf } from './registries-conf.js';
export {
  EMPTY_REGISTRY_CONFIG,
  findRegistryRule,
  mergeRegistryConfigs,
  prefixMatches,
  type RegistryConfig,
  type RegistryRule,
} from './rules.js';
