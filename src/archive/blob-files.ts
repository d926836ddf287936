/**
 * Verified reads of blob files (a layout directory's `blobs/<alg>/<hex>` or an unpacked archive member).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { verifyingStream } from '../oci/digest.js';
import { MAX_DOCUMENT_BYTES } from '../oci/parse-document.js';
import type { Descriptor } from '../oci/types.js';

/** Where a blob's bytes are on disk and how many there are. */
export interface BlobFile {
  readonly path: string;
  readonly size: number;
}

/** Opens `file` as the content of `descriptor`; the stream fails unless digest and size match. */
export function openVerified(file: BlobFile, descriptor: Descriptor, where: string): Readable {
  if (file.size !== descriptor.size) {
    throw new KilnError(
      ErrorCode.DigestMismatch,
      `${where}: blob ${descriptor.digest} has ${file.size} bytes, its descriptor says ${descriptor.size}`,
    );
  }
  const input = createReadStream(file.path);
  const verified = verifyingStream({ digest: descriptor.digest, size: descriptor.size });
  input.on('error', (error) =>
    verified.destroy(
      new KilnError(ErrorCode.NotFound, `${where}: cannot read blob ${descriptor.digest}: ${error.message}`, {
        cause: error,
      }),
    ),
  );
  verified.on('error', () => input.destroy());
  return input.pipe(verified);
}

/** Reads a small blob fully (documents: at most 4 MiB), verified. */
export async function readVerified(file: BlobFile, descriptor: Descriptor, where: string): Promise<Buffer> {
  if (descriptor.size > MAX_DOCUMENT_BYTES) {
    throw new KilnError(
      ErrorCode.TooLarge,
      `${where}: document ${descriptor.digest} is ${descriptor.size} bytes, more than ${MAX_DOCUMENT_BYTES}`,
    );
  }
  return collect(openVerified(file, descriptor, where));
}

/** All bytes of a (small) stream. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
