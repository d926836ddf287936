/**
 * Layer compression: detection by magic bytes, streaming decompression, and compression with the
 * digest and size of the compressed bytes computed in the same pass.
 */
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { type Digest, Digester } from '../oci/digest.js';
import type { LayerCompression } from '../oci/media-types.js';
import { zstdStream } from './zstd-process.js';

/** Compressions a layer blob may use (the OCI model's union). */
export type { LayerCompression };

/**
 * Output chunk size of (de)compression streams: zlib's 16 KiB default means many small chunks, each
 * paying the per-chunk cost of the tar reader, the digest and the file writes; 256 KiB cuts that by
 * 16. The stream buffers four chunks so that inflating (thread pool) overlaps with unpacking (main
 * thread). The compressed bytes do not depend on the output chunk size.
 */
const ZLIB_CHUNK = 256 * 1024;
const ZLIB_STREAM = { chunkSize: ZLIB_CHUNK, highWaterMark: 4 * ZLIB_CHUNK } as const;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const BZIP2_MAGIC = Buffer.from('BZh', 'latin1');

/** Identifies the compression from the first bytes (6 are enough); refuses xz and bzip2 layers. */
export function detectCompression(head: Buffer): LayerCompression {
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd';
  if (head.subarray(0, 6).equals(XZ_MAGIC) || head.subarray(0, 3).equals(BZIP2_MAGIC)) {
    throw new KilnError(ErrorCode.UnsafeArchive, 'xz / bzip2 compressed layers are not supported', {
      hint: 'OCI layers are gzip, zstd or uncompressed tar',
    });
  }
  return 'none';
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* labelErrors(source: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (error) {
    if (error instanceof KilnError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new KilnError(ErrorCode.UnsafeArchive, `corrupt ${what} data: ${message}`, { cause: error });
  }
}

export interface DecompressOptions {
  /** 'auto' (default) sniffs the magic bytes. */
  readonly compression?: 'auto' | LayerCompression;
  readonly signal?: AbortSignal;
}

/** Returns the decompressed bytes of `input` (gzip via zlib, zstd via the zstd tool, or as is). */
export async function decompress(input: Readable, options: DecompressOptions = {}): Promise<Readable> {
  const iterator: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let length = 0;
  while (length < 6) {
    const next = await iterator.next();
    if (next.done) break;
    parts.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(parts);
  const wanted = options.compression ?? 'auto';
  const compression = wanted === 'auto' ? detectCompression(head) : wanted;
  const raw = Readable.from(prepend(head, iterator), { objectMode: false });
  switch (compression) {
    case 'none':
      return raw;
    case 'gzip': {
      const gunzip = createGunzip(ZLIB_STREAM);
      pipeline(raw, gunzip, () => {});
      return Readable.from(labelErrors(gunzip, 'gzip'), { objectMode: false });
    }
    case 'zstd': {
      const signal = options.signal;
      return zstdStream(raw, signal === undefined ? { mode: 'decompress' } : { mode: 'decompress', signal });
    }
    default:
      return assertNever(compression, 'compression');
  }
}

/** Digest and size of a blob, known once its stream has been fully read. */
export interface BlobResult {
  readonly digest: Digest;
  readonly size: number;
}

/** A stream of bytes plus a promise settled when the stream ends (or fails). */
export interface DigestedStream {
  readonly stream: Readable;
  readonly result: Promise<BlobResult>;
}

/** A pass-through that hashes what flows through it. */
export function digestingStream(input: Readable): DigestedStream {
  const digester = new Digester('sha256');
  let settle: (value: BlobResult) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const result = new Promise<BlobResult>((res, rej) => {
    settle = res;
    reject = rej;
  });
  result.catch(() => {});
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      digester.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      settle({ digest: digester.digest(), size: digester.size });
      callback();
    },
  });
  pipeline(input, hashing, (error) => {
    if (error) reject(error);
  });
  return { stream: hashing, result };
}

export interface CompressOptions {
  /** gzip 0–9 (default 6), zstd 1–19 (default 3). */
  readonly level?: number;
  readonly signal?: AbortSignal;
}

/**
 * Compresses a layer tar. Gzip output is deterministic (no name, mtime 0); zstd uses the `zstd` tool
 * single-threaded, which is deterministic for a given version and level. `result` settles when the
 * returned stream has been read to its end.
 */
export function compressLayer(
  input: Readable,
  compression: 'gzip' | 'zstd',
  options: number | CompressOptions = {},
): DigestedStream {
  const { level, signal } = typeof options === 'number' ? { level: options, signal: undefined } : options;
  switch (compression) {
    case 'gzip': {
      const gzip = createGzip(level === undefined ? ZLIB_STREAM : { ...ZLIB_STREAM, level });
      pipeline(input, gzip, () => {});
      return digestingStream(gzip);
    }
    case 'zstd': {
      const base = { mode: 'compress' as const, ...(level === undefined ? {} : { level }) };
      return digestingStream(zstdStream(input, signal === undefined ? base : { ...base, signal }));
    }
    default:
      return assertNever(compression, 'compression');
  }
}
