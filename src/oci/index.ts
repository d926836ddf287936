/**
 * OCI model: digests, media types, documents, validators, conversions, references, platforms.
 */
export * from './convert.js';
export * from './digest.js';
export * from './media-types.js';
export * from './parse-document.js';
export * from './platform.js';
export * from './reference.js';
export type * from './types.js';
export { validateConfig } from './validate-config.js';
export { expectDescriptorDigest, validateDescriptor } from './validate-descriptor.js';
export { validateIndex } from './validate-index.js';
export { validateLayout } from './validate-layout.js';
export { type ValidateManifestOptions, validateManifest } from './validate-manifest.js';
