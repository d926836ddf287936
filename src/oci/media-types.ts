/**
 * Media types of the OCI image spec and Docker image manifest v2 schema 2, and annotation keys.
 */
import { assertNever } from '../errors.js';

/** OCI image-spec media types (values of specs-go/v1/mediatype.go). */
export const OciMediaType = {
  Descriptor: 'application/vnd.oci.descriptor.v1+json',
  LayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  ImageIndex: 'application/vnd.oci.image.index.v1+json',
  ImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  ImageConfig: 'application/vnd.oci.image.config.v1+json',
  EmptyJSON: 'application/vnd.oci.empty.v1+json',
  ImageLayer: 'application/vnd.oci.image.layer.v1.tar',
  ImageLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ImageLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** @deprecated Non-distributable layers should not be produced. */
  ImageLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** @deprecated Non-distributable layers should not be produced. */
  ImageLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** @deprecated Non-distributable layers should not be produced. */
  ImageLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

/** Docker image manifest v2 schema 2 media types. */
export const DockerMediaType = {
  ManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  Manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Schema 1 (signed) manifests: recognised only to be refused. */
  ManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  ManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  Config: 'application/vnd.docker.container.image.v1+json',
  LayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Uncompressed Docker layer (used by some tools; not part of the registry spec). */
  Layer: 'application/vnd.docker.image.rootfs.diff.tar',
  /** Zstd Docker layer (moby extension). */
  LayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  ForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Plugin config (recognised, never produced). */
  PluginConfig: 'application/vnd.docker.plugin.v1+json',
} as const;

export type OciMediaTypeValue = (typeof OciMediaType)[keyof typeof OciMediaType];
export type DockerMediaTypeValue = (typeof DockerMediaType)[keyof typeof DockerMediaType];
export type KnownMediaType = OciMediaTypeValue | DockerMediaTypeValue;

/** Media types of a single-platform image manifest (OCI or Docker). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OciMediaType.ImageManifest, DockerMediaType.Manifest];
/** Media types of an index / manifest list (OCI or Docker). */
export const INDEX_MEDIA_TYPES: readonly string[] = [OciMediaType.ImageIndex, DockerMediaType.ManifestList];
/** Media types of an image config (OCI or Docker). */
export const CONFIG_MEDIA_TYPES: readonly string[] = [OciMediaType.ImageConfig, DockerMediaType.Config];

/** The `Accept` list a registry client sends to fetch any manifest or index kiln can read. */
export const MANIFEST_ACCEPT: readonly string[] = [
  OciMediaType.ImageIndex,
  OciMediaType.ImageManifest,
  DockerMediaType.ManifestList,
  DockerMediaType.Manifest,
];

export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isConfigMediaType(mediaType: string): boolean {
  return CONFIG_MEDIA_TYPES.includes(mediaType);
}

/** Compression of a layer blob. */
export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** What kiln knows about a layer media type. */
export interface LayerMediaTypeInfo {
  readonly compression: LayerCompression;
  /** True for Docker foreign and OCI non-distributable layers (may be absent from registries). */
  readonly nondistributable: boolean;
  readonly format: 'oci' | 'docker';
}

const LAYER_INFO: Readonly<Record<string, LayerMediaTypeInfo>> = {
  [OciMediaType.ImageLayer]: { compression: 'none', nondistributable: false, format: 'oci' },
  [OciMediaType.ImageLayerGzip]: { compression: 'gzip', nondistributable: false, format: 'oci' },
  [OciMediaType.ImageLayerZstd]: { compression: 'zstd', nondistributable: false, format: 'oci' },
  [OciMediaType.ImageLayerNonDistributable]: { compression: 'none', nondistributable: true, format: 'oci' },
  [OciMediaType.ImageLayerNonDistributableGzip]: {
    compression: 'gzip',
    nondistributable: true,
    format: 'oci',
  },
  [OciMediaType.ImageLayerNonDistributableZstd]: {
    compression: 'zstd',
    nondistributable: true,
    format: 'oci',
  },
  [DockerMediaType.Layer]: { compression: 'none', nondistributable: false, format: 'docker' },
  [DockerMediaType.LayerGzip]: { compression: 'gzip', nondistributable: false, format: 'docker' },
  [DockerMediaType.LayerZstd]: { compression: 'zstd', nondistributable: false, format: 'docker' },
  [DockerMediaType.ForeignLayerGzip]: { compression: 'gzip', nondistributable: true, format: 'docker' },
};

/** Facts about a layer media type, or undefined when it is not a layer type kiln knows. */
export function layerMediaTypeInfo(mediaType: string): LayerMediaTypeInfo | undefined {
  return Object.hasOwn(LAYER_INFO, mediaType) ? LAYER_INFO[mediaType] : undefined;
}

export function isLayerMediaType(mediaType: string): boolean {
  return layerMediaTypeInfo(mediaType) !== undefined;
}

/** The layer media type for a compression in the given format (Docker has no standard uncompressed type). */
export function layerMediaType(compression: LayerCompression, format: 'oci' | 'docker' = 'oci'): string {
  switch (compression) {
    case 'none':
      return format === 'oci' ? OciMediaType.ImageLayer : DockerMediaType.Layer;
    case 'gzip':
      return format === 'oci' ? OciMediaType.ImageLayerGzip : DockerMediaType.LayerGzip;
    case 'zstd':
      return format === 'oci' ? OciMediaType.ImageLayerZstd : DockerMediaType.LayerZstd;
    default:
      return assertNever(compression, 'layer compression');
  }
}

/** OCI annotation keys (specs-go/v1/annotations.go). */
export const OciAnnotation = {
  Created: 'org.opencontainers.image.created',
  Authors: 'org.opencontainers.image.authors',
  URL: 'org.opencontainers.image.url',
  Documentation: 'org.opencontainers.image.documentation',
  Source: 'org.opencontainers.image.source',
  Version: 'org.opencontainers.image.version',
  Revision: 'org.opencontainers.image.revision',
  Vendor: 'org.opencontainers.image.vendor',
  Licenses: 'org.opencontainers.image.licenses',
  RefName: 'org.opencontainers.image.ref.name',
  Title: 'org.opencontainers.image.title',
  Description: 'org.opencontainers.image.description',
  BaseImageDigest: 'org.opencontainers.image.base.digest',
  BaseImageName: 'org.opencontainers.image.base.name',
} as const;

/** Annotations BuildKit puts on attestation manifests inside an index. */
export const DockerAnnotation = {
  ReferenceType: 'vnd.docker.reference.type',
  ReferenceDigest: 'vnd.docker.reference.digest',
  /** Value of ReferenceType for an attestation manifest. */
  AttestationManifest: 'attestation-manifest',
} as const;

/** The content of the `oci-layout` file's `imageLayoutVersion`. */
export const IMAGE_LAYOUT_VERSION = '1.0.0';
