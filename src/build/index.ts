/** Dockerfile builds: the library's `build()` call and its options. */

export { createImageResolver, type ImageResolver, type ImageResolverOptions } from './base-images.js';
export { build } from './build.js';
export type { BuildContextInput, BuildHooks, BuildOptions, BuildResult } from './types.js';
