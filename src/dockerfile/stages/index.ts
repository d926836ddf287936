/**
 * Stages, build-arg scoping and build checks: `parseStages`, `resolveBuild`, `resolveDockerfile`.
 */
export { isProxyArg, PROXY_ARGS, platformArgs } from './build-args.js';
export { checkDockerfile } from './check-dockerfile.js';
export {
  applyCheckConfig,
  type CheckConfig,
  CheckRule,
  type CheckRuleCode,
  type Diagnostic,
  type Finding,
  isSecretName,
  parseCheckDirective,
} from './diagnostics.js';
export { addEnv, parseKeyValue } from './env-list.js';
export { stageLabels } from './labels.js';
export { checkDuplicateStageNames, lintStages } from './lint.js';
export { type ParseStagesOptions, parseStages } from './parse-stages.js';
export { type ResolvedBuild, type ResolveOptions, resolveBuild } from './resolve-build.js';
export { type CheckOptions, type CheckResult, resolveDockerfile } from './resolve-dockerfile.js';
export { shellLexer } from './shell-lexer.js';
export { checkCycles, reachableStages, selectTarget } from './targets.js';
export * from './types.js';
export type { Env, LexOptions, WordLexer, WordMatches } from './word-lexer.js';
