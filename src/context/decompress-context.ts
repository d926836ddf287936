/**
 * Decompressing a context archive: docker accepts gzip, bzip2, xz and zstd (or a plain tar) on stdin.
 * gzip and zstd go through the layer engine's `decompress`; bzip2 and xz through the `bzip2` / `xz`
 * tools (Node has no codec for them, and both tools stream with bounded memory). The layer engine
 * loads only for a compressed archive (a directory context never loads it).
 */
import { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import type { processFilter as ProcessFilter } from '../layer/index.js';

/** Compression formats a context archive may use. */
export type ContextCompression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: readonly (readonly [ContextCompression, Buffer])[] = [
  ['gzip', Buffer.from([0x1f, 0x8b])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['bzip2', Buffer.from('BZh', 'latin1')],
];

/** Identifies the compression of a context archive from its first bytes (6 are enough). */
export function detectContextCompression(head: Buffer): ContextCompression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return kind;
  }
  return 'none';
}

/** A stream with some bytes already read from it put back in front. */
export function withHead(head: Buffer, rest: AsyncIterator<Buffer>): Readable {
  async function* joined(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return Readable.from(joined(), { objectMode: false });
}

/** Reads at least `min` bytes (fewer only at end of stream) without losing the rest of the stream. */
export async function peek(
  input: Readable,
  min: number,
): Promise<{ readonly head: Buffer; readonly stream: Readable }> {
  const iterator: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let length = 0;
  while (length < min) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    parts.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(parts);
  return { head, stream: withHead(head, iterator) };
}

function toolStream(
  processFilter: typeof ProcessFilter,
  input: Readable,
  tool: 'bzip2' | 'xz',
  signal?: AbortSignal,
): Readable {
  return processFilter(input, {
    command: tool,
    args: ['-d', '-c', '-q'],
    ...(signal ? { signal } : {}),
    missing: (cause) =>
      new KilnError(ErrorCode.Usage, `a ${tool}-compressed context needs the \`${tool}\` program`, {
        hint: `install ${tool === 'xz' ? 'xz-utils' : 'bzip2'}, or send a plain or gzip tar`,
        cause,
      }),
    failed: (code, detail) =>
      new KilnError(ErrorCode.UnsafeArchive, `corrupt ${tool} context archive (exit ${code}): ${detail}`),
  });
}

/** The decompressed bytes of a context archive, whatever compression it uses. */
export async function decompressContext(input: Readable, signal?: AbortSignal): Promise<Readable> {
  const { head, stream } = await peek(input, 6);
  const compression = detectContextCompression(head);
  if (compression === 'none') return stream;
  const { decompress, processFilter } = await import('../layer/index.js');
  switch (compression) {
    case 'gzip':
    case 'zstd':
      return decompress(stream, signal === undefined ? { compression } : { compression, signal });
    case 'bzip2':
    case 'xz':
      return toolStream(processFilter, stream, compression, signal);
  }
}
