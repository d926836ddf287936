/**
 * The content store as other modules see it (registry pulls into it, builds read from it, exports read
 * from it). Implemented by the on-disk OCI image layout store in this folder.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest.js';

export interface BlobInfo {
  readonly digest: Digest;
  readonly size: number;
}

export interface ExpectedBlob {
  readonly digest: Digest;
  readonly size?: number;
}

export interface WriteBlobOptions {
  /** When given, the write fails (and leaves nothing visible) unless the bytes match. */
  readonly expected?: ExpectedBlob;
  /** Upper bound for content of unknown size. */
  readonly maxSize?: number;
  readonly signal?: AbortSignal;
}

export interface ContentStore {
  /** Absolute path of the store root (an OCI image layout). */
  readonly root: string;
  hasBlob(digest: Digest): Promise<boolean>;
  statBlob(digest: Digest): Promise<BlobInfo | undefined>;
  /** A stream of the blob's bytes, verified against its digest as it is read. */
  openBlob(digest: Digest): Promise<Readable>;
  /** Reads a small blob (manifests, configs) fully, verified; refuses blobs above `maxSize`. */
  readBlob(digest: Digest, maxSize?: number): Promise<Buffer>;
  /** Streams content in, hashing while writing; visible atomically only once verified. */
  writeBlob(source: Readable | Uint8Array, options?: WriteBlobOptions): Promise<BlobInfo>;
}
