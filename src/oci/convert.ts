/**
 * Conversions between OCI and Docker schema 2 forms of manifests and indexes. Values are rebuilt
 * (never mutated); field order follows what each format's producers write.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { DockerMediaType, OciMediaType } from './media-types.js';
import type { Descriptor, ImageIndex, ImageManifest, ManifestFormat } from './types.js';

const TO_DOCKER: Readonly<Record<string, string>> = {
  [OciMediaType.ImageManifest]: DockerMediaType.Manifest,
  [OciMediaType.ImageIndex]: DockerMediaType.ManifestList,
  [OciMediaType.ImageConfig]: DockerMediaType.Config,
  [OciMediaType.ImageLayer]: DockerMediaType.Layer,
  [OciMediaType.ImageLayerGzip]: DockerMediaType.LayerGzip,
  [OciMediaType.ImageLayerZstd]: DockerMediaType.LayerZstd,
  [OciMediaType.ImageLayerNonDistributableGzip]: DockerMediaType.ForeignLayerGzip,
};

const TO_OCI: Readonly<Record<string, string>> = {
  [DockerMediaType.Manifest]: OciMediaType.ImageManifest,
  [DockerMediaType.ManifestList]: OciMediaType.ImageIndex,
  [DockerMediaType.Config]: OciMediaType.ImageConfig,
  [DockerMediaType.Layer]: OciMediaType.ImageLayer,
  [DockerMediaType.LayerGzip]: OciMediaType.ImageLayerGzip,
  [DockerMediaType.LayerZstd]: OciMediaType.ImageLayerZstd,
  [DockerMediaType.ForeignLayerGzip]: OciMediaType.ImageLayerNonDistributableGzip,
};

/** The equivalent media type in `format` (unknown types, e.g. artifacts, are kept as they are). */
export function convertMediaType(mediaType: string, format: ManifestFormat): string {
  const table = format === 'docker' ? TO_DOCKER : TO_OCI;
  return Object.hasOwn(table, mediaType) ? table[mediaType]! : mediaType;
}

function convertDescriptor(descriptor: Descriptor, format: ManifestFormat): Descriptor {
  return { ...descriptor, mediaType: convertMediaType(descriptor.mediaType, format) };
}

export interface ConvertOptions {
  /**
   * Docker schema 2 has no manifest-level `annotations`, `subject` or `artifactType`: by default
   * converting a document that has them fails (E_USAGE); set this to drop them instead.
   */
  readonly dropUnsupported?: boolean;
}

function checkDockerable(
  doc: { readonly annotations?: unknown; readonly subject?: unknown; readonly artifactType?: unknown },
  what: string,
  options: ConvertOptions,
): void {
  if (options.dropUnsupported === true) return;
  for (const field of ['annotations', 'subject', 'artifactType'] as const) {
    if (doc[field] !== undefined) {
      throw new KilnError(ErrorCode.Usage, `cannot write ${what} in Docker format: it has ${field}`, {
        hint: 'use OCI media types, or drop the field',
      });
    }
  }
}

/** The manifest with media types of `format` (Docker: schema 2 manifest, config and layer types). */
export function convertManifest(
  manifest: ImageManifest,
  format: ManifestFormat,
  options: ConvertOptions = {},
): ImageManifest {
  const base = {
    schemaVersion: 2 as const,
    mediaType: format === 'docker' ? DockerMediaType.Manifest : OciMediaType.ImageManifest,
  };
  const config = convertDescriptor(manifest.config, format);
  const layers = manifest.layers.map((layer) => convertDescriptor(layer, format));
  if (format === 'docker') {
    checkDockerable(manifest, 'image manifest', options);
    return { ...base, config, layers };
  }
  return {
    ...base,
    ...(manifest.artifactType !== undefined ? { artifactType: manifest.artifactType } : {}),
    config,
    layers,
    ...(manifest.subject !== undefined ? { subject: manifest.subject } : {}),
    ...(manifest.annotations !== undefined ? { annotations: manifest.annotations } : {}),
  };
}

/** The index / manifest list with media types of `format`. */
export function convertIndex(
  index: ImageIndex,
  format: ManifestFormat,
  options: ConvertOptions = {},
): ImageIndex {
  const base = {
    schemaVersion: 2 as const,
    mediaType: format === 'docker' ? DockerMediaType.ManifestList : OciMediaType.ImageIndex,
  };
  const manifests = index.manifests.map((entry) => convertDescriptor(entry, format));
  if (format === 'docker') {
    checkDockerable(index, 'image index', options);
    return { ...base, manifests };
  }
  return {
    ...base,
    ...(index.artifactType !== undefined ? { artifactType: index.artifactType } : {}),
    manifests,
    ...(index.subject !== undefined ? { subject: index.subject } : {}),
    ...(index.annotations !== undefined ? { annotations: index.annotations } : {}),
  };
}

/** Which format a manifest or index was written in, from its media type (no media type means OCI). */
export function manifestFormat(doc: { readonly mediaType?: string }): ManifestFormat {
  return doc.mediaType === DockerMediaType.Manifest || doc.mediaType === DockerMediaType.ManifestList
    ? 'docker'
    : 'oci';
}
