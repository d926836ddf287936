/** User namespaces: identity, id-mapping plans, prerequisites and re-executing inside a namespace. */
export { contextForPlan, contextFromEnv, type NamespaceContext, USERNS_ENV } from './context.js';
export { type EnterResult, type EnterUserNamespaceOptions, enterUserNamespace } from './enter.js';
export { identityOfCurrentUser } from './host.js';
export { type DetectIdentityOptions, detectIdentity, type Identity, parseIdMap } from './identity.js';
export {
  DEFAULT_MINIMUM_IDS,
  type IdMapEntry,
  type IdMappingPlan,
  isInitialNamespace,
  type OwnershipKind,
  type PlanIdMappingsOptions,
  planIdMappings,
} from './mappings.js';
export { checkPrerequisites, gatherPrerequisites, type HostPrerequisites } from './prerequisites.js';
export { type IdRange, parseSubIdFile, rangesForUser, type SubIdEntry } from './subid.js';
