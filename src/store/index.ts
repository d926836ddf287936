/**
 * The local content store: an OCI image layout with tags, leases, compressed-variant bookkeeping and GC.
 */
export * from './compressed-variants.js';
export { DEFAULT_GC_GRACE_MS, markReachable, type PruneOptions, type PruneResult, prune } from './gc.js';
export { type ImageSelector, parseImageSelector, refName } from './image-selector.js';
export {
  addUntaggedImage,
  type RemoveImageOptions,
  type RemoveImageResult,
  removeImage,
  setImageTag,
  tagImage,
  tagRefName,
} from './image-tags.js';
export type { LeaseOptions } from './leases.js';
export { type ImageSummary, listImages, splitReference } from './list-images.js';
export { DEFAULT_MAX_DOCUMENT_SIZE, LocalStore, type OpenStoreOptions, openStore } from './local-store.js';
export {
  entryRefName,
  type ResolvedImage,
  type ResolveImageOptions,
  resolveDescriptor,
  resolveImage,
  resolveRoot,
} from './resolve-image.js';
export { type KilnRootOptions, resolveKilnRoot } from './root.js';
export { KILN_STORE_VERSION, type StorePaths, storePaths } from './store-paths.js';
export type * from './types.js';
