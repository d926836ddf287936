/**
 * The compression a registry push gives uncompressed (build-time) layers: `--compression` of
 * `kiln push`, `compression=` of `--output type=registry|image`. Pure.
 */
import { ErrorCode, KilnError } from '../errors.js';

/** `none` pushes layers as stored; gzip/zstd compress uncompressed layers (compressed ones go as they are). */
export type PushCompression = 'gzip' | 'zstd' | 'none';

/** What pushes use unless told otherwise (as BuildKit: gzip). */
export const DEFAULT_PUSH_COMPRESSION: PushCompression = 'gzip';

/** Parses a compression name; `uncompressed` (buildx's spelling) means `none`. */
export function parsePushCompression(value: string, what: string): PushCompression {
  switch (value.trim().toLowerCase()) {
    case 'gzip':
      return 'gzip';
    case 'zstd':
      return 'zstd';
    case 'none':
    case 'uncompressed':
      return 'none';
    default:
      throw new KilnError(ErrorCode.Usage, `unknown ${what} ${JSON.stringify(value)}`, {
        hint: 'use gzip, zstd or none',
      });
  }
}
