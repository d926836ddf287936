/**
 * Build progress: the event model the solver emits and the renderers the CLI shows it with.
 */
export * from './build-state.js';
export * from './create.js';
export * from './decode.js';
export * from './emitter.js';
export * from './events.js';
export * from './failure.js';
export * from './mask.js';
export * from './plain.js';
export * from './quiet.js';
export * from './rawjson.js';
export * from './renderer.js';
export * from './ring-buffer.js';
export * from './tty.js';
