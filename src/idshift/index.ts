/** Single-id fallback: emulating chown (and stat) in RUN steps through the kiln-idshift helper. */
export {
  type BuildIdshiftHelperOptions,
  buildIdshiftHelper,
  type CheckIdshiftHelperOptions,
  checkIdshiftHelper,
} from './build-helper.js';
export { helperFileName, helperPath } from './helper-cache.js';
export { idshiftSourcePath } from './helper-source.js';
export { type PrepareOwnerEmulationOptions, prepareOwnerEmulation } from './prepare-emulation.js';
export type { HostCommand, OwnerEmulation } from './types.js';
export { wrapWithIdshift } from './wrap-command.js';
