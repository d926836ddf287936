/**
 * The layer tar engine: apply a layer to a directory, turn directory changes into a layer, compress.
 */
export { type ApplyOptions, type ApplyResult, applyLayer } from './apply.js';
export {
  type BlobResult,
  type CompressOptions,
  compressLayer,
  type DecompressOptions,
  type DigestedStream,
  decompress,
  detectCompression,
  type LayerCompression,
} from './compression.js';
export { type DiffOptions, diffToLayer, type LayerDiff } from './diff/diff-to-layer.js';
export {
  type DiskOwner,
  nativeOwnership,
  type OwnerReader,
  type OwnershipStrategy,
  type OwnershipWriter,
  type XattrOwnershipOptions,
  xattrOwnership,
} from './ownership.js';
export { type ProcessFilterOptions, processFilter } from './process-filter.js';
export {
  decodeRootlessResource,
  encodeRootlessResource,
  ROOTLESS_XATTR,
  type RootlessResource,
} from './rootless-resource.js';
export { readTar, type TarEntry } from './tar/reader.js';
export { DEFAULT_TAR_LIMITS, type TarEntryHeader, type TarEntryType, type TarLimits } from './tar/types.js';
export { TarWriter } from './tar/writer.js';
export type { LayerWarning } from './warnings.js';
