/**
 * Reading the JSON documents of stored images (index, manifest, config): verified bytes from the store,
 * validated by src/oci's parsers.
 */
import type { Digest } from '../oci/digest.js';
import { OciMediaType } from '../oci/media-types.js';
import { type ManifestDocument, parseConfig, parseManifestDocument } from '../oci/parse-document.js';
import type { Descriptor, ImageConfig } from '../oci/types.js';
import type { ContentStore } from './types.js';

export type ImageDocument = ManifestDocument;

/** Reads and validates a manifest or index blob (E_INVALID_DOCUMENT when it is neither). */
export async function readImageDocument(
  store: ContentStore,
  digest: Digest,
  mediaType?: string,
): Promise<ImageDocument> {
  return parseManifestDocument(await store.readBlob(digest), mediaType);
}

/** Reads and validates an image config blob. */
export async function readImageConfig(store: ContentStore, digest: Digest): Promise<ImageConfig> {
  return parseConfig(await store.readBlob(digest));
}

/** A descriptor for a stored manifest/index blob that index.json does not list. */
export function descriptorFor(digest: Digest, size: number, doc: ImageDocument): Descriptor {
  const own = doc.kind === 'index' ? doc.index.mediaType : doc.manifest.mediaType;
  const mediaType = own ?? (doc.kind === 'index' ? OciMediaType.ImageIndex : OciMediaType.ImageManifest);
  return { mediaType, digest, size };
}
