/** Snapshots: writable root filesystems over shared, unpacked layer directories. */
export { layerDir, lowersFor } from './layer-dirs.js';
export { overlayOptions } from './overlay.js';
export { prepareRootfs } from './prepare.js';
export {
  type ProbeSnapshotterOptions,
  probeSnapshotter,
  type SnapshotProbeAttempt,
  type SnapshotProbeResult,
} from './probe.js';
export type { PreparedRootfs, PrepareRootfsOptions, SnapshotStrategy } from './types.js';
