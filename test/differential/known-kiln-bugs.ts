/**
 * Places where kiln itself does not yet match the Dockerfile reference, found by this corpus. The
 * kiln subtests of these cases run as `todo` (reported, not failing the run) until the bug is fixed;
 * then remove the entry. Every entry names the issue to fix, not a deviation to keep.
 */

/** One known kiln bug. */
export interface KnownKilnBug {
  readonly id: string;
  readonly cases: readonly string[];
  readonly reason: string;
}

export const KNOWN_KILN_BUGS: readonly KnownKilnBug[] = [];

/** The known bug of a case, if any. */
export function knownKilnBug(caseName: string, all = KNOWN_KILN_BUGS): KnownKilnBug | undefined {
  return all.find((b) => b.cases.includes(caseName));
}
