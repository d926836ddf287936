/**
 * Sizes as users type them on the command line: `1048576`, `512k`, `16M`, `1GiB`.
 */
import { ErrorCode, KilnError } from '../../errors.js';

/** Parses a positive size with an optional k/m/g (binary) suffix; E_USAGE otherwise. */
export function parseSize(text: string): number {
  const match = /^(\d+)([kKmMgG]?)i?[bB]?$/.exec(text.trim());
  if (!match) throw new KilnError(ErrorCode.Usage, `invalid size ${JSON.stringify(text)} (e.g. 16M)`);
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'
  ];
  const size = Number(match[1]) * factor;
  if (size < 1) throw new KilnError(ErrorCode.Usage, 'size must be positive');
  return size;
}
