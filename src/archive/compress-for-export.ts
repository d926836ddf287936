/**
 * The one place archives and exports compress layers (the store keeps them uncompressed). Delegates
 * to the layer engine's deterministic compressors.
 */
import type { Readable } from 'node:stream';
import { compressLayer, type DigestedStream } from '../layer/compression.js';

/** Compresses an uncompressed layer tar for export; `result` settles once the stream was read. */
export function compressForExport(input: Readable, algorithm: 'gzip' | 'zstd' = 'gzip'): DigestedStream {
  return compressLayer(input, algorithm);
}
