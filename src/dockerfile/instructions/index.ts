/**
 * Typed Dockerfile instructions: `parseInstruction(node)` and the instruction types.
 */
export { handleJsonArgs, heredocReference } from './command-line.js';
export { parseGoDuration } from './duration.js';
export { type PortSpecResult, parsePortSpec } from './expose-ports.js';
export { type FlagDef, type FlagSpec, type ParsedFlags, parseFlags } from './flags.js';
export { VALID_STAGE_NAME } from './parse-from.js';
export { parseInstruction } from './parse-instruction.js';
export { parseMounts } from './parse-run.js';
export type { InstructionContext } from './request.js';
export { parseDevice } from './run-options.js';
export * from './types.js';
