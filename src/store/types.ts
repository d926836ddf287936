/**
 * The content store as other modules see it (registry pulls into it, builds read from it, exports read
 * from it). Implemented by the on-disk OCI image layout store in this folder.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import type { ImageIndex } from '../oci/types.js';

export interface BlobInfo {
  readonly digest: Digest;
  readonly size: number;
}

export interface ExpectedBlob {
  readonly digest: Digest;
  readonly size?: number;
}

/**
 * A GC lease: blobs added to it are not swept by `prune` while the lease is active (its process lives
 * and it has not expired), so a writer can store blobs first and reference them from index.json later.
 */
export interface Lease {
  readonly id: string;
  /** Protects these digests from GC until the lease ends. */
  add(...digests: readonly Digest[]): Promise<void>;
  /** Ends the lease (idempotent). */
  release(): Promise<void>;
}

export interface WriteBlobOptions {
  /** When given, the write fails (and leaves nothing visible) unless the bytes match. */
  readonly expected?: ExpectedBlob;
  /** Upper bound for content of unknown size. */
  readonly maxSize?: number;
  readonly signal?: AbortSignal;
  /** The written (or already present) blob is added to this lease before it becomes visible. */
  readonly lease?: Lease;
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

/**
 * A content store that also names images: its `index.json` (an OCI image index whose entries carry the
 * full reference in `org.opencontainers.image.ref.name`). The image functions of this folder
 * (`resolveImage`, `setImageTag`, `tagImage`, `removeImage`, `listImages`) take this interface.
 */
export interface ImageStore extends ContentStore {
  readIndex(): Promise<ImageIndex>;
  /** Read-modify-write of index.json, serialised across processes; returns the index written. */
  updateIndex(mutate: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>): Promise<ImageIndex>;
  /** Starts a GC lease protecting blobs that are written before an index entry refers to them. */
  createLease(options?: { readonly ttlMs?: number }): Promise<Lease>;
}
