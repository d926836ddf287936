/**
 * kiln's library entry: what tools embed instead of shelling out to `docker build`.
 */

export * from './archive/index.js';
export * from './build/index.js';
export * from './context/index.js';
export type { EscapeToken } from './dockerfile/escape-token.js';
export * from './dockerfile/ignore/index.js';
export * from './dockerfile/instructions/index.js';
export * from './dockerfile/parser/index.js';
export * from './dockerfile/shell/index.js';
export * from './dockerfile/stages/index.js';
export * from './errors.js';
export * from './executor/index.js';
export { type OutputSpec, parseOutputSpec } from './export/index.js';
export * from './layer/index.js';
export * from './mounts/index.js';
export * from './oci/digest.js';
export * from './oci/index.js';
export * from './plan/index.js';
export * from './progress/index.js';
export * from './registry/index.js';
export * from './secrets/index.js';
export * from './snapshot/index.js';
export * from './store/index.js';
export * from './userns/index.js';
