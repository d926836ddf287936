/** The worker: RUN and COPY/ADD/WORKDIR ops turned into layers and kept snapshots. */
export { chainDir, chainId, ensureChainDir } from './chains.js';
export { commitLayer, EMPTY_LAYER_DIFF_ID, keepDir, layerSnapshotDir } from './commit-layer.js';
export {
  type CopyListing,
  type CopyNode,
  listContextSource,
  listTreeSource,
  type OwnerLookup,
} from './copy-sources.js';
export { type StepMountInput, type StepResources, toMounts } from './exec-mounts.js';
export { type ExecOpInput, type ExecOpResult, runExecOp } from './exec-op.js';
export { type FileOpInput, type FileOpResult, runFileOp } from './file-op.js';
export { parseChmod } from './modes.js';
export { parentDirs, pruneMountPointParents } from './prune-upper.js';
export { type Owner, Staging } from './staging.js';
export {
  lookupInLowers,
  lowersOf,
  MAX_STACKED_LOWERS,
  openView,
  resolveInLowers,
  type TreeView,
} from './trees.js';
export * from './types.js';
