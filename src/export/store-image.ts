/**
 * Writing a built image into the local store: config blob, manifest (built layers as uncompressed tar
 * blobs — compression happens on push and export), then the tags (or an untagged index entry). The
 * manifest is OCI, or Docker schema 2 on request; either way every descriptor in it (base image layers
 * included) carries that format's media types. The config bytes are the same in both formats.
 */
import { convertManifest } from '../oci/convert.js';
import type { Digest } from '../oci/digest.js';
import { OciMediaType } from '../oci/media-types.js';
import type { Descriptor, ImageConfig, ImageManifest, ManifestFormat } from '../oci/types.js';
import { addUntaggedImage, type Lease, type LocalStore, setImageTag } from '../store/index.js';

/** A layer blob of the image, bottom-first. */
export interface ImageLayerBlob {
  readonly digest: Digest;
  readonly size: number;
  readonly mediaType: string;
}

export interface StoreImageOptions {
  readonly store: LocalStore;
  readonly lease: Lease;
  readonly config: ImageConfig;
  readonly layers: readonly ImageLayerBlob[];
  /** Names to tag the image with (`-t`); none stores it untagged. */
  readonly tags: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** Media types of the manifest (default OCI). Docker manifests cannot hold annotations (E_USAGE). */
  readonly format?: ManifestFormat;
}

export interface StoredBuild {
  readonly manifestDescriptor: Descriptor;
  readonly configDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  /** Full ref names the image was tagged with. */
  readonly tags: readonly string[];
}

/** Stores the image and names it. */
export async function storeImage(options: StoreImageOptions): Promise<StoredBuild> {
  const { store, lease } = options;
  const configBytes = Buffer.from(JSON.stringify(options.config));
  const configInfo = await store.writeBlob(configBytes, { lease });
  const configDescriptor: Descriptor = {
    mediaType: OciMediaType.ImageConfig,
    digest: configInfo.digest,
    size: configInfo.size,
  };
  const manifest: ImageManifest = convertManifest(
    {
      schemaVersion: 2,
      mediaType: OciMediaType.ImageManifest,
      config: configDescriptor,
      layers: options.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      ...(options.annotations === undefined || Object.keys(options.annotations).length === 0
        ? {}
        : { annotations: options.annotations }),
    },
    options.format ?? 'oci',
  );
  const manifestInfo = await store.writeBlob(Buffer.from(JSON.stringify(manifest)), { lease });
  const manifestDescriptor: Descriptor = {
    mediaType: manifest.mediaType ?? OciMediaType.ImageManifest,
    digest: manifestInfo.digest,
    size: manifestInfo.size,
  };
  const tags: string[] = [];
  for (const tag of options.tags) tags.push(await setImageTag(store, tag, manifestDescriptor));
  if (tags.length === 0) await addUntaggedImage(store, manifestDescriptor);
  return { manifestDescriptor, configDescriptor: manifest.config, manifest, tags };
}
