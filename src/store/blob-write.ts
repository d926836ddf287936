/**
 * Streaming a blob into the store: hash while writing a temp file in the store's own tmp directory,
 * fsync, verify, then rename into `blobs/<alg>/<hex>` — visible only when complete and correct.
 */
import { mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { type Digest, Digester, parseDigest } from '../oci/digest.js';
import { fsyncDir, tempFilePath } from './atomic-file.js';
import { blobPath, type StorePaths } from './store-paths.js';
import type { BlobInfo, WriteBlobOptions } from './types.js';

/** Writes a blob (see `ContentStore.writeBlob`). An already present blob is kept and its source left unread. */
export async function writeBlobFile(
  paths: StorePaths,
  source: Readable | Uint8Array,
  options: WriteBlobOptions = {},
): Promise<BlobInfo> {
  const expected = options.expected;
  const knownDigest = expected?.digest ?? (source instanceof Uint8Array ? digestOf(source) : undefined);
  if (knownDigest !== undefined) {
    await options.lease?.add(knownDigest);
    const knownSize = expected?.size ?? (source instanceof Uint8Array ? source.byteLength : undefined);
    const present = await touchIfPresent(paths, knownDigest, knownSize);
    if (present !== undefined) {
      if (!(source instanceof Uint8Array)) discard(source);
      return present;
    }
  }
  const algorithm = expected ? parseDigest(expected.digest).algorithm : 'sha256';
  await storeStep('create the temp directory', mkdir(paths.tmpDir, { recursive: true }));
  const temp = tempFilePath(paths.tmpDir);
  try {
    const digester = new Digester(algorithm);
    const handle = await storeStep('create a temp file', open(temp, 'wx', 0o644));
    try {
      const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
        source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        if (options.signal?.aborted) {
          throw new KilnError(ErrorCode.Aborted, 'blob write aborted', { cause: options.signal.reason });
        }
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        digester.update(bytes);
        checkSize(digester.size, options);
        await storeStep('write a temp file', handle.write(bytes));
      }
      await storeStep('flush a temp file', handle.sync());
    } finally {
      await handle.close();
    }
    const info: BlobInfo = { digest: digester.digest(), size: digester.size };
    verify(info, options);
    await options.lease?.add(info.digest);
    const target = blobPath(paths, info.digest);
    const present = await touchIfPresent(paths, info.digest, info.size);
    if (present !== undefined) {
      await rm(temp, { force: true }).catch(() => undefined);
      return present;
    }
    await storeStep('create the blob directory', mkdir(dirname(target), { recursive: true }));
    await storeStep('move a blob into place', rename(temp, target));
    await fsyncDir(dirname(target));
    return info;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    if (!(source instanceof Uint8Array)) discard(source);
    throw error;
  }
}

/**
 * Stops reading a source stream. Some streams (an HTTP response body) emit 'error' when destroyed
 * before their end; nobody listens any more, so that error is swallowed instead of crashing the process.
 */
function discard(source: Readable): void {
  source.on('error', () => undefined);
  source.destroy();
}

/** Maps filesystem failures (ENOSPC, EACCES, EROFS…) of a store step to E_STORE. */
async function storeStep<T>(what: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    throw new KilnError(ErrorCode.Store, `cannot ${what} in the store: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function digestOf(bytes: Uint8Array): Digest {
  const digester = new Digester('sha256');
  digester.update(bytes);
  return digester.digest();
}

function checkSize(size: number, options: WriteBlobOptions): void {
  const expectedSize = options.expected?.size;
  if (expectedSize !== undefined && size > expectedSize) {
    throw new KilnError(
      ErrorCode.DigestMismatch,
      `content for ${options.expected?.digest} is larger than the expected ${expectedSize} bytes`,
    );
  }
  if (options.maxSize !== undefined && size > options.maxSize) {
    throw new KilnError(ErrorCode.TooLarge, `blob is larger than the allowed ${options.maxSize} bytes`);
  }
}

function verify(info: BlobInfo, options: WriteBlobOptions): void {
  const expected = options.expected;
  if (expected === undefined) return;
  if (expected.size !== undefined && info.size !== expected.size) {
    throw new KilnError(
      ErrorCode.DigestMismatch,
      `content for ${expected.digest} has ${info.size} bytes, expected ${expected.size}`,
    );
  }
  if (info.digest !== expected.digest) {
    throw new KilnError(
      ErrorCode.DigestMismatch,
      `digest mismatch: expected ${expected.digest}, got ${info.digest}`,
    );
  }
}

/**
 * When the blob exists (with the expected size, if given), refreshes its mtime — so GC's grace period
 * protects it from a concurrent sweep while the writer goes on to reference it — and returns its info.
 */
async function touchIfPresent(
  paths: StorePaths,
  digest: Digest,
  size: number | undefined,
): Promise<BlobInfo | undefined> {
  const path = blobPath(paths, digest);
  try {
    const now = new Date();
    await utimes(path, now, now);
    const info = await stat(path);
    // A stored blob of the wrong size is corrupt: treat it as absent, so that the verified new
    // content is renamed over it.
    if (size !== undefined && info.size !== size) return undefined;
    return { digest, size: info.size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
