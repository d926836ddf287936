/**
 * Build contexts: opening (directory, tar, stdin), .dockerignore-aware listing, COPY/ADD source
 * selection and cache-key hashing.
 */
export { BuildContext, type BuildContextKind } from './build-context.js';
export {
  ContentHashCache,
  type ContentHashCacheOptions,
  type ContentHashStats,
} from './content-hash-cache.js';
export { type ContextCompression, detectContextCompression } from './decompress-context.js';
export {
  type HashSourcesOptions,
  hashSources,
  hashSourcesDetailed,
  SOURCE_HASH_VERSION,
  type SourcesHash,
} from './hash-sources.js';
export { type OpenBuildContextOptions, openBuildContext } from './open-context.js';
export { type ResolvedPath, resolveInContext } from './resolve-path.js';
export {
  listSelection,
  type NormalizedSourceOptions,
  type ResolveSourcesOptions,
  resolveSources,
  type SelectedEntry,
  type SelectedSource,
  type SourceSelection,
} from './sources.js';
export {
  type ContextDockerfile,
  type ContextEntry,
  type ContextEntryType,
  type ContextIgnore,
  type ContextLimits,
  type ContextSource,
  DEFAULT_CONTEXT_LIMITS,
} from './types.js';
export { type WalkOptions, walkContext } from './walk.js';
