/**
 * Pushing an image from the content store: for an index, every child manifest first (by digest); for
 * a manifest, its config and layers (bounded parallel, mounted or uploaded), then the manifest itself
 * by digest or by each tag.
 */
import { ErrorCode } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.js';
import { parseManifestDocument } from '../oci/parse-document.js';
import type { Descriptor } from '../oci/types.js';
import type { ContentStore } from '../store/types.js';
import { type PushBlobOutcome, pushBlob } from './blob-push.js';
import type { RegistryClient } from './client.js';
import { mapLimit } from './concurrency.js';
import { RegistryError } from './errors.js';
import { MAX_MANIFEST_SIZE, manifestMediaType, putManifest } from './manifests.js';
import type { RepositoryRef } from './reference.js';

/** Progress events of a push. */
export type PushProgress =
  | { readonly kind: 'blob'; readonly descriptor: Descriptor; readonly outcome: PushBlobOutcome }
  | { readonly kind: 'manifest'; readonly descriptor: Descriptor; readonly reference: string };

export interface PushImageOptions {
  readonly repository: RepositoryRef;
  readonly store: ContentStore;
  /** The manifest or index to push (must be in the store, with everything it references). */
  readonly digest: Digest;
  /** Tags to point at it; when empty the root is pushed by digest only. */
  readonly tags?: readonly string[];
  /** Repositories of the same registry to try as cross-repository mount sources. */
  readonly mountFrom?: readonly string[];
  /** Blobs above this size are uploaded in chunks of this size (default 32 MiB). */
  readonly chunkSize?: number;
  /** Parallel blob uploads (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PushProgress) => void;
}

export interface PushResult {
  readonly descriptor: Descriptor;
  readonly tags: readonly string[];
}

async function readDocument(
  store: ContentStore,
  digest: Digest,
): Promise<{ bytes: Buffer; mediaType: string }> {
  const bytes = await store.readBlob(digest, MAX_MANIFEST_SIZE);
  return { bytes, mediaType: manifestMediaType(bytes, undefined) };
}

async function pushTree(
  client: RegistryClient,
  options: PushImageOptions,
  digest: Digest,
  references: readonly string[],
): Promise<Descriptor> {
  const { bytes, mediaType } = await readDocument(options.store, digest);
  const document = parseManifestDocument(bytes, mediaType);
  const signal = options.signal ? { signal: options.signal } : {};
  if (document.kind === 'index') {
    for (const child of document.index.manifests) {
      if (!isIndexMediaType(child.mediaType) && !isManifestMediaType(child.mediaType)) {
        throw new RegistryError(
          ErrorCode.InvalidDocument,
          `index ${digest} lists a non-manifest ${child.mediaType}`,
        );
      }
      await pushTree(client, options, child.digest, [child.digest]);
    }
  } else {
    const blobs = [document.manifest.config, ...document.manifest.layers];
    await mapLimit(blobs, options.concurrency ?? 4, async (descriptor) => {
      const outcome = await pushBlob(client, {
        repository: options.repository,
        descriptor,
        store: options.store,
        ...(options.mountFrom ? { mountFrom: options.mountFrom } : {}),
        ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
        ...signal,
      });
      options.onProgress?.({ kind: 'blob', descriptor, outcome });
    });
  }
  const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
  for (const reference of references) {
    await putManifest(client, { repository: options.repository, reference, bytes, mediaType, ...signal });
    options.onProgress?.({ kind: 'manifest', descriptor, reference });
  }
  return descriptor;
}

/** Pushes a manifest or index with everything it references. */
export async function pushImage(client: RegistryClient, options: PushImageOptions): Promise<PushResult> {
  const tags = options.tags ?? [];
  const descriptor = await pushTree(
    client,
    options,
    options.digest,
    tags.length > 0 ? tags : [options.digest],
  );
  return { descriptor, tags };
}
