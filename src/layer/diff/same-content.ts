/**
 * Byte-for-byte comparison of two files, streamed with bounded memory. Synchronous reads of up to
 * 256 KiB at a time: in compare mode nearly every unchanged file of a tree unpacked from a layer
 * (whole-second mtimes) is compared, and thread-pool round trips would dominate on small files.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

const CHUNK = 256 * 1024;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
function fill(fd: number, buffer: Buffer): number {
  let got = 0;
  while (got < buffer.length) {
    const n = readSync(fd, buffer, got, buffer.length - got, null);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * True when both files have the same bytes. `expectedSize` (the size lstat reported) only sizes the
 * read buffers, so that small files do not pay for two 256 KiB allocations each.
 */
export async function sameContent(a: string, b: string, expectedSize = CHUNK): Promise<boolean> {
  const length = Math.max(1, Math.min(CHUNK, expectedSize + 1));
  const fa = openSync(a, READ_FLAGS);
  try {
    const fb = openSync(b, READ_FLAGS);
    try {
      const ba = Buffer.allocUnsafe(length);
      const bb = Buffer.allocUnsafe(length);
      for (;;) {
        const ra = fill(fa, ba);
        const rb = fill(fb, bb);
        if (ra !== rb) return false;
        if (ra === 0) return true;
        if (ba.compare(bb, 0, rb, 0, ra) !== 0) return false;
        if (ra < length) return true;
      }
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}
