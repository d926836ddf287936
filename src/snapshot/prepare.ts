/** Preparing a writable root filesystem with the chosen strategy. */
import { assertNever } from '../errors.js';
import { prepareCopy } from './copy.js';
import { prepareOverlay } from './overlay.js';
import type { PreparedRootfs, PrepareRootfsOptions } from './types.js';

/** Makes a writable tree over `lowers` (top first); call `cleanup()` when done with it. */
export async function prepareRootfs(options: PrepareRootfsOptions): Promise<PreparedRootfs> {
  options.signal?.throwIfAborted();
  const { strategy } = options;
  switch (strategy.kind) {
    case 'overlay':
    case 'fuse-overlayfs':
      return prepareOverlay(options, strategy);
    case 'copy':
      return prepareCopy(options);
    default:
      return assertNever(strategy, 'snapshot strategy');
  }
}
