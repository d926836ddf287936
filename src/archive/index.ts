/**
 * Image transports and archives: copying images between the kiln store, OCI layouts, OCI archives and
 * docker-archives; loading archives; archives as build bases.
 */
export { ArchiveOutput, type ArchiveTarget } from './archive-output.js';
export {
  type ArchiveBaseSpec,
  type BuildContextValue,
  baseImageFor,
  parseBaseImageSpec,
  parseBuildContexts,
  parseBuildContextValue,
  type ResolveBaseImageOptions,
  resolveBaseImage,
} from './base-image.js';
export { compressForExport } from './compress-for-export.js';
export {
  type CopiedImage,
  type CopyImageOptions,
  type CopyProgress,
  type CopyResult,
  copyImage,
} from './copy-image.js';
export { DockerArchiveDestination, type DockerArchiveItem, repoTag } from './docker-archive-destination.js';
export { DockerArchiveSource, parseDockerArchiveManifest } from './docker-archive-source.js';
export {
  ARCHIVE_TAR_LIMITS,
  type ExtractedArchive,
  type ExtractedFile,
  type ExtractOptions,
  extractArchive,
  normalizeMemberName,
} from './extract-archive.js';
export { archiveSink, directorySink, type LayoutSink, OciLayoutDestination } from './layout-destination.js';
export { archiveLayout, directoryLayout, type LayoutFiles, OciLayoutSource } from './layout-source.js';
export {
  type ArchiveFormat,
  detectArchiveFormat,
  type LoadArchiveOptions,
  type LoadArchiveResult,
  loadArchive,
} from './load-archive.js';
export {
  openDestination,
  openSource,
  type RegistryTransport,
  type TransportContext,
} from './open-transport.js';
export {
  type PushedImage,
  RegistryDestination,
  type RegistryDestinationOptions,
} from './registry-destination.js';
export { MAX_SMALL_BLOB_SIZE, RegistrySource, type RegistrySourceOptions } from './registry-source.js';
export {
  type RegistryPurpose,
  type RegistryTransportOptions,
  registryTransport,
} from './registry-transport.js';
export { StoreDestination, type StoredImage, StoreSource } from './store-transport.js';
export type * from './transport.js';
export {
  formatTransportSpec,
  type ImagePick,
  parseTransportSpec,
  type TransportSpec,
} from './transport-spec.js';
