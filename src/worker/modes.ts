/** COPY --chmod: the mode every copied node gets (symlinks keep theirs). */
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';

/** A function giving the new mode of a node, or undefined when there is no --chmod. */
export function parseChmod(
  spec: string | undefined,
  location: SourceLocation | undefined,
): ((node: { readonly mode: number }) => number) | undefined {
  if (spec === undefined || spec === '') return undefined;
  if (/^[0-7]{1,4}$/.test(spec)) {
    const mode = Number.parseInt(spec, 8);
    return () => mode;
  }
  throw new KilnError(ErrorCode.Usage, `symbolic --chmod=${spec} is not supported yet; use an octal mode`, {
    ...(location === undefined ? {} : { location }),
  });
}
