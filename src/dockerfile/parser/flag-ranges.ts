/**
 * Source ranges of instruction flags: a logical line is joined from physical lines, so a position in it
 * is mapped back through the segments it was joined from.
 */
import type { SourceRange } from '../../errors.js';

/** Where one physical line's part starts in the joined logical line. */
export interface LineSegment {
  /** Offset of the part in the joined line. */
  readonly offset: number;
  /** 1-based physical line number. */
  readonly line: number;
  /** 1-based column of the part's first character on that line. */
  readonly column: number;
}

/** The physical position of `offset` in the joined line. */
function positionOf(segments: readonly LineSegment[], offset: number): { line: number; column: number } {
  let segment = segments[0] ?? { offset: 0, line: 1, column: 1 };
  for (const s of segments) if (s.offset <= offset) segment = s;
  return { line: segment.line, column: segment.column + offset - segment.offset };
}

/** End of the flag word starting at `start`: the first unquoted whitespace (a backslash escapes). */
function wordEnd(line: string, start: number): number {
  let quote = '';
  for (let i = start; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== '') {
      if (ch === quote) quote = '';
      else if (ch === '\\') i++;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '\\') i++;
    else if (/\s/.test(ch)) return i;
  }
  return line.length;
}

/**
 * Ranges of `flags` (as extracted, `--name[=value]`) in the joined `line`, searched in order; a flag whose
 * `--name` is not found gets the whole-line fallback range.
 */
export function flagRanges(
  line: string,
  flags: readonly string[],
  segments: readonly LineSegment[],
  fallback: SourceRange,
): SourceRange[] {
  let cursor = 0;
  return flags.map((flag) => {
    const eq = flag.indexOf('=');
    const head = eq >= 0 ? flag.slice(0, eq) : flag;
    const at = line.indexOf(head, cursor);
    if (at < 0) return fallback;
    const end = Math.max(wordEnd(line, at), at + head.length);
    cursor = end;
    return { start: positionOf(segments, at), end: positionOf(segments, end) };
  });
}
