/**
 * Helpers that turn instruction problems into located KilnErrors.
 */
import { ErrorCode, type ErrorCodeValue, KilnError, type SourceRange } from '../../errors.js';

/** Where errors point: the file name and the instruction's range. */
export interface ErrorSite {
  readonly file: string;
  readonly range: SourceRange;
  /** Ranges of the instruction's flag words, parallel to the node's `flags`, when known. */
  readonly flagRanges?: readonly SourceRange[];
}

/** The site of one flag: its own range when known, else the instruction's. */
export function atRange(site: ErrorSite, range: SourceRange | undefined): ErrorSite {
  return range === undefined ? site : { file: site.file, range };
}

/** The site of the `index`th occurrence of flag `name` of an instruction, for errors in its value. */
export function flagSite(
  site: ErrorSite,
  instruction: { readonly flagRanges?: Readonly<Record<string, readonly SourceRange[]>> },
  name: string,
  index = 0,
): ErrorSite {
  return atRange(site, instruction.flagRanges?.[name]?.[index]);
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

/**
 * The site of the last occurrence of `word` in a one-line instruction (`original` starts at the range's
 * start), for errors about one argument; the instruction's site when it spans lines or `word` is absent.
 */
export function wordSite(site: ErrorSite, original: string, word: string): ErrorSite {
  const { start, end } = site.range;
  const at = original.lastIndexOf(word);
  const oneLine = start.line === end.line && end.column - start.column === original.length;
  if (!oneLine || at < 0 || word === '') return site;
  const column = start.column + at;
  return atRange(site, {
    start: { line: start.line, column },
    end: { line: start.line, column: column + word.length },
  });
}
