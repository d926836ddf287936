/**
 * Pulling an image into the content store: manifest (or index → platform manifest), then config and
 * layers in parallel (bounded), each verified by the store; blobs already present are skipped.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { parseManifestDocument } from '../oci/parse-document.js';
import { formatPlatform, normalizePlatform, selectManifest } from '../oci/platform.js';
import type { Descriptor, ImageManifest, Platform } from '../oci/types.js';
import type { ContentStore, Lease } from '../store/types.js';
import { fetchBlobInto } from './blobs.js';
import type { RegistryClient } from './client.js';
import { mapLimit } from './concurrency.js';
import { RegistryError } from './errors.js';
import { type FetchedManifest, getManifest } from './manifests.js';
import { formatImageRef, type ImageRef } from './reference.js';

/** Progress events of a pull. */
export type PullProgress =
  | { readonly kind: 'manifest'; readonly descriptor: Descriptor }
  | { readonly kind: 'blob-skipped'; readonly descriptor: Descriptor }
  | { readonly kind: 'blob-done'; readonly descriptor: Descriptor };

export interface PullImageOptions {
  readonly reference: ImageRef;
  readonly store: ContentStore;
  /** The platform to pick from an index (exact match first, then compatible variants). */
  readonly platform: Platform;
  /** Parallel blob downloads (default 4). */
  readonly concurrency?: number;
  readonly lease?: Lease;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PullProgress) => void;
}

export interface PullResult {
  /** What the reference points at: an index or a manifest. */
  readonly root: Descriptor;
  /** The single-platform manifest pulled (same as `root` when there was no index). */
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

async function storeManifest(options: PullImageOptions, fetched: FetchedManifest): Promise<Descriptor> {
  await options.store.writeBlob(fetched.bytes, {
    expected: { digest: fetched.digest, size: fetched.size },
    ...(options.lease ? { lease: options.lease } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const descriptor: Descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size };
  options.onProgress?.({ kind: 'manifest', descriptor });
  return descriptor;
}

/** Pulls one platform of an image into the store. */
export async function pullImage(client: RegistryClient, options: PullImageOptions): Promise<PullResult> {
  const signal = options.signal ? { signal: options.signal } : {};
  const ref = options.reference;
  const first = await getManifest(client, ref, signal);
  let document = parseManifestDocument(first.bytes, first.mediaType);
  const root = await storeManifest(options, first);
  let manifestDescriptor = root;
  if (document.kind === 'index') {
    const wanted = normalizePlatform(options.platform);
    const chosen = selectManifest(document.index, wanted);
    if (chosen === undefined) {
      const available = document.index.manifests
        .filter((m) => m.platform !== undefined && m.platform.os !== 'unknown')
        .map((m) => formatPlatform(normalizePlatform(m.platform!)));
      throw new KilnError(
        ErrorCode.Platform,
        `${formatImageRef(ref)} has no manifest for ${formatPlatform(wanted)} (available: ${available.join(', ') || 'none'})`,
      );
    }
    const child = await getManifest(
      client,
      { registry: ref.registry, repository: ref.repository, digest: chosen.digest },
      signal,
    );
    if (child.size !== chosen.size) {
      throw new RegistryError(
        ErrorCode.DigestMismatch,
        `manifest ${chosen.digest}: ${child.size} bytes, index says ${chosen.size}`,
      );
    }
    document = parseManifestDocument(child.bytes, child.mediaType);
    if (document.kind !== 'manifest') {
      throw new RegistryError(
        ErrorCode.InvalidDocument,
        `index entry ${chosen.digest} is not an image manifest`,
      );
    }
    manifestDescriptor = await storeManifest(options, child);
  }
  const manifest: ImageManifest = document.manifest;
  const blobs: readonly Descriptor[] = [manifest.config, ...manifest.layers];
  const repository = { registry: ref.registry, repository: ref.repository };
  await mapLimit(blobs, options.concurrency ?? 4, async (descriptor) => {
    const present = await options.store.statBlob(descriptor.digest);
    if (present !== undefined && present.size === descriptor.size) {
      await options.lease?.add(descriptor.digest);
      options.onProgress?.({ kind: 'blob-skipped', descriptor });
      return;
    }
    await fetchBlobInto(client, {
      repository,
      descriptor,
      store: options.store,
      ...(options.lease ? { lease: options.lease } : {}),
      ...signal,
    });
    options.onProgress?.({ kind: 'blob-done', descriptor });
  });
  return { root, manifest: manifestDescriptor, config: manifest.config, layers: manifest.layers };
}
