/**
 * The transport abstraction (in the spirit of go-containerregistry / containers-image): every place an
 * image can live — the kiln store, an OCI layout directory, an OCI archive, a docker-archive, and later
 * a registry — is an `ImageSource` and/or an `ImageDestination` with the same few verbs, so
 * `copyImage` moves images between any two of them.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, ManifestFormat } from '../oci/types.js';

/** One image a source offers: its root (an index or a manifest) and the names it carries there. */
export interface SourceImage {
  readonly root: Descriptor;
  /**
   * Names as the source records them: full references for the store and docker-archives
   * (`docker.io/library/busybox:latest`), `org.opencontainers.image.ref.name` values for OCI layouts.
   */
  readonly names: readonly string[];
}

/** A repository on a registry that holds a source's blobs (a destination on that registry can mount them). */
export interface RegistryLocation {
  /** `host[:port]` as in references. */
  readonly registry: string;
  readonly repository: string;
}

/** A blob offered to a destination: reopenable (so failed uploads can start again), maybe mountable. */
export interface BlobSupply {
  /** The blob's verified bytes, opened afresh on every call. */
  open(): Promise<Readable>;
  /** Where the source keeps it, when that is a registry. */
  readonly location?: RegistryLocation;
}

/** How `putBlobFrom` stored a blob: its bytes were copied, or the registry mounted it from the source repository. */
export type BlobPutOutcome = 'copied' | 'mounted';

/** Where images are read from. Every blob it hands out is verified against its descriptor. */
export interface ImageSource {
  /** For messages, e.g. `oci-archive:/tmp/a.tar`. */
  readonly description: string;
  /** Set when the source is a registry repository (its blobs can be mounted from there). */
  readonly registryLocation?: RegistryLocation;
  /** The images this source names: one when a tag/digest was given, else all it holds. */
  images(): Promise<readonly SourceImage[]>;
  /** Whether the blob is available (partially pulled images lack other platforms' manifests). */
  hasBlob(descriptor: Descriptor): Promise<boolean>;
  /** The blob's bytes; the stream fails with E_DIGEST_MISMATCH unless digest and size match. */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  /** A small blob (manifest, index, config) read fully and verified. */
  readBlob(descriptor: Descriptor): Promise<Buffer>;
  /**
   * Optional: the gzip/zstd variant of an uncompressed layer, made (or reused) inside the source so it
   * is cached there (the kiln store records variants). Sources without a cache omit this.
   */
  compressedLayer?(layer: Descriptor, algorithm: 'gzip' | 'zstd'): Promise<Descriptor>;
  /** Releases temp files (extracted archives) and handles. Idempotent. */
  close(): Promise<void>;
}

/** What a destination can hold. */
export interface DestinationCapabilities {
  /** False when only single-platform manifests can be stored (docker-archive). */
  readonly indexes: boolean;
  /** The manifest format the destination needs; 'any' keeps what the source has. */
  readonly format: ManifestFormat | 'any';
}

/** Where images are written. Nothing becomes visible before `commit`. */
export interface ImageDestination {
  readonly description: string;
  readonly capabilities: DestinationCapabilities;
  /** True when the destination already has this blob (it is then not copied). */
  hasBlob(descriptor: Descriptor): Promise<boolean>;
  /** Stores a blob from `content`; fails (and keeps nothing) unless digest and size match. */
  putBlob(descriptor: Descriptor, content: Readable): Promise<void>;
  /**
   * Optional: stores a blob from a supply that can be reopened (retries) or mounted (registries).
   * `copyImage` prefers it to `putBlob` when present.
   */
  putBlobFrom?(descriptor: Descriptor, supply: BlobSupply): Promise<BlobPutOutcome>;
  /** Stores a manifest or index whose exact bytes are `bytes`. */
  putManifest(descriptor: Descriptor, bytes: Buffer): Promise<void>;
  /**
   * Records an image whose root was already put. `names` are the source's names; a destination
   * opened with its own tag uses that instead.
   */
  addImage(root: Descriptor, names: readonly string[]): Promise<void>;
  /** Makes the images visible (index.json update, archive file rename). */
  commit(): Promise<void>;
  /** Discards everything not yet committed. Idempotent; safe after a failed commit. */
  abort(): Promise<void>;
}
