/** Running a build plan: cache lookups, parallel stages, the worker for steps that must run. */
export { CACHE_INDEX_VERSION, type CacheIndex, type CacheRecord, openCacheIndex } from './cache-index.js';
export { displayRef } from './display-ref.js';
export { Limiter } from './limiter.js';
export { type OpOutcome, type SolveOptions, solve } from './solve.js';
