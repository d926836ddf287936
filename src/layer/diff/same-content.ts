/** Byte-for-byte comparison of two files, streamed with bounded memory. */
import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.alloc(CHUNK);
    const bb = Buffer.alloc(CHUNK);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, null), fb.read(bb, 0, CHUNK, null)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
