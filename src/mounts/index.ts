/** Cache mounts (`RUN --mount=type=cache`) and the cross-process file locks they use. */
export {
  type AcquireCacheMountOptions,
  type CacheMountInfo,
  type CacheMountLease,
  CacheMountManager,
  type CacheMountManagerOptions,
  type CachePruneResult,
  type CacheSeed,
  listCacheMounts,
} from './cache-mounts.js';
export { type HeldLock, type LockFileOptions, type LockMode, lockFile } from './process-lock.js';
