/**
 * Build planning (pure): resolved stages → a DAG of ops with the target image config and history;
 * cache keys computed from the plan and the digests known so far.
 */
export {
  CACHE_KEY_VERSION,
  type CacheKeyInputs,
  cacheKeyDocument,
  computeCacheKeys,
  digestContextSelections,
} from './cache-key.js';
export { canonicalJson } from './canonical-json.js';
export { copyCreatedBy } from './copy-plan.js';
export { runCommandString } from './exec-plan.js';
export { goDuration } from './go-format.js';
export { type BaseImageRequest, baseImageRequests } from './image-requests.js';
export { imageOnbuildInstructions, parseOnbuildTriggers, type TriggerOptions } from './onbuild.js';
export { sourceOpId } from './op-graph.js';
export { destRelativeToWorkdir, normalizeWorkdir } from './paths.js';
export { goTime, type PlanInput, type PlanOptions, planBuild } from './plan-build.js';
export { configArgv, defaultShell, HEREDOC_PIPES_DIR, type RunArgv, runArgv, withShell } from './run-argv.js';
export * from './types.js';
export { DEFAULT_PATH_ENV } from './working-image.js';
