/**
 * Pushing a stored image to a registry (`kiln push`, `kiln build --push`, `--output type=registry`):
 * the store is copied to the registry with `copyImage`, which compresses uncompressed (build-time)
 * layers — reusing the store's remembered compressed variant, or making and recording it once — and
 * writes new manifests (and index) over the compressed layers. Images whose layers are already
 * compressed keep their exact bytes and digest. Blobs the registry has are skipped (HEAD); blobs in
 * `mountFrom` repositories are mounted.
 */
import { type CopyProgress, copyImage } from '../archive/copy-image.js';
import { RegistryDestination } from '../archive/registry-destination.js';
import { StoreSource } from '../archive/store-transport.js';
import { ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { ImageReference } from '../oci/reference.js';
import type { Descriptor, ManifestFormat } from '../oci/types.js';
import type { RegistryClient } from '../registry/client.js';
import type { LocalStore } from '../store/local-store.js';
import { DEFAULT_PUSH_COMPRESSION, type PushCompression } from './push-compression.js';

/** Options of `pushStoredImage`. */
export interface PushStoredImageOptions {
  /** Used, not closed: the caller closes it. */
  readonly client: RegistryClient;
  readonly store: LocalStore;
  /** The stored root (manifest or index) to push. */
  readonly digest: Digest;
  /** Where to: the tag names the image; a digest must equal the pushed root's digest. */
  readonly reference: ImageReference;
  /** Default gzip. */
  readonly compression?: PushCompression;
  /** Media types to push (default: the stored image's); a different one converts the manifests. */
  readonly format?: ManifestFormat;
  /** Other repositories of the same registry to mount blobs from. */
  readonly mountFrom?: readonly string[];
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: CopyProgress) => void;
}

/** What was pushed. */
export interface PushedStoredImage {
  /** The root as pushed (differs from the stored one when layers were compressed). */
  readonly descriptor: Descriptor;
  /** Uncompressed layers replaced by a compressed variant (made now or remembered). */
  readonly layersCompressed: number;
  readonly blobsCopied: number;
  readonly blobsSkipped: number;
  readonly blobsMounted: number;
}

/** Pushes a stored image, compressing uncompressed layers (see the module comment). */
export async function pushStoredImage(options: PushStoredImageOptions): Promise<PushedStoredImage> {
  const compression = options.compression ?? DEFAULT_PUSH_COMPRESSION;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const dst = new RegistryDestination({
    client: options.client,
    borrowedClient: true,
    reference: options.reference,
    mountFrom: options.mountFrom ?? [],
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    ...signal,
  });
  const src = new StoreSource(options.store, options.digest);
  let layersCompressed = 0;
  try {
    const result = await copyImage({
      src,
      dst,
      tmpDir: options.store.paths.tmpDir,
      ...(compression === 'none' ? {} : { compression }),
      ...(options.format === undefined ? {} : { format: options.format }),
      ...signal,
      onProgress: (event) => {
        if (event.kind === 'layer-compressed') layersCompressed += 1;
        options.onProgress?.(event);
      },
    });
    const image = result.images[0];
    if (image === undefined)
      throw new KilnError(ErrorCode.Internal, `${src.description}: nothing was pushed`);
    return {
      descriptor: image.root,
      layersCompressed,
      blobsCopied: result.blobsCopied,
      blobsSkipped: result.blobsSkipped,
      blobsMounted: result.blobsMounted,
    };
  } finally {
    await src.close();
  }
}
