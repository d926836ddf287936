/**
 * Helpers that turn instruction problems into located KilnErrors.
 */
import { ErrorCode, type ErrorCodeValue, KilnError, type SourceRange } from '../../errors.js';

/** Where errors point: the file name and the instruction's range. */
export interface ErrorSite {
  readonly file: string;
  readonly range: SourceRange;
}

/** A KilnError located at an instruction. */
export function siteError(site: ErrorSite, code: ErrorCodeValue, message: string, hint?: string): KilnError {
  return new KilnError(code, message, {
    location: { file: site.file, range: site.range },
    ...(hint === undefined ? {} : { hint }),
  });
}

/** An invalid-argument error for an instruction (E_DOCKERFILE_INSTRUCTION). */
export function argError(site: ErrorSite, message: string): KilnError {
  return siteError(site, ErrorCode.DockerfileInstruction, message);
}

/** An unknown / malformed / duplicate flag error (E_UNKNOWN_FLAG). */
export function flagError(site: ErrorSite, message: string, hint?: string): KilnError {
  return siteError(site, ErrorCode.UnknownFlag, message, hint);
}
