/** Exporting a build: the image config, the stored image, and outputs (registry, archives, filesystem). */
export { type BuiltLayer, finalImageConfig } from './image-config.js';
export { type OutputSpec, parseOutputSpec } from './output-spec.js';
export { type RunOutputsOptions, runOutputs } from './run-outputs.js';
export { type ImageLayerBlob, type StoredBuild, type StoreImageOptions, storeImage } from './store-image.js';
