/**
 * zstd through the `zstd` command-line tool as a child-process stream.
 *
 * Why the CLI: Node 20's zlib has no zstd (it arrived in Node 22.15 / 23.8), a WASM or native npm
 * binding would be a new dependency with its own supply-chain and build risk, and the `zstd` tool is
 * packaged everywhere, streams with bounded memory, and is the reference implementation.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { processFilter } from './process-filter.js';

export interface ZstdOptions {
  readonly mode: 'compress' | 'decompress';
  /** Compression level 1–19 (compress only; default 3, zstd's own default). */
  readonly level?: number;
  readonly signal?: AbortSignal;
}

/**
 * Pipes `input` through `zstd` and returns its output. A non-zero exit (corrupt input) destroys the
 * output with E_UNSAFE_ARCHIVE; a missing binary with E_USAGE and a hint.
 */
export function zstdStream(input: Readable, options: ZstdOptions): Readable {
  const level = options.level ?? 3;
  if (!Number.isInteger(level) || level < 1 || level > 19) {
    throw new KilnError(ErrorCode.Usage, `zstd level must be an integer 1–19, got ${level}`);
  }
  const args = options.mode === 'compress' ? ['-q', '-c', `-${level}`] : ['-q', '-d', '-c'];
  return processFilter(input, {
    command: 'zstd',
    args,
    ...(options.signal ? { signal: options.signal } : {}),
    missing: (cause) =>
      new KilnError(ErrorCode.Usage, 'zstd layers need the `zstd` program, which is not installed', {
        hint: 'install the zstd package (Debian/Ubuntu: apt-get install zstd)',
        cause,
      }),
    failed: (code, detail) =>
      new KilnError(ErrorCode.UnsafeArchive, `zstd ${options.mode} failed (exit ${code}): ${detail}`),
  });
}
