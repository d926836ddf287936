/**
 * Splitting Dockerfile text into physical lines the way BuildKit's scanner reads them, including its
 * 65535-byte line limit (bufio.MaxScanTokenSize - 1).
 */
import { utf8Length } from './go-text.js';

/** Longest line, in UTF-8 bytes without its `\n`, that BuildKit's scanner accepts. */
export const MAX_LINE_BYTES = 65535;

export interface SourceLines {
  /** Lines with their `\n` kept (the last one may lack it), up to the first over-long line. */
  readonly lines: readonly string[];
  /** 1-based number of the first line over the limit, when there is one (reading stopped there). */
  readonly tooLongLine?: number;
}

/** Splits text into lines; stops at the first line longer than MAX_LINE_BYTES bytes. */
export function splitSourceLines(text: string): SourceLines {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    const contentLength = (nl === -1 ? text.length : nl) - start;
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only long lines need counting.
    if (
      contentLength * 3 > MAX_LINE_BYTES &&
      utf8Length(text.slice(start, start + contentLength)) > MAX_LINE_BYTES
    ) {
      return { lines, tooLongLine: lines.length + 1 };
    }
    lines.push(text.slice(start, end));
    start = end;
  }
  return { lines };
}
