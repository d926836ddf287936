import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isKilnError } from '../../src/errors.js';
import { compressLayer, decompress, detectCompression } from '../../src/layer/compression.js';
import { sha256Digest } from '../../src/oci/digest.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const data = Buffer.from('layer bytes '.repeat(10_000));

describe('layer compression', () => {
  it('detects formats by magic bytes and refuses xz / bzip2', () => {
    assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
    assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
    assert.equal(detectCompression(Buffer.from('ustar')), 'none');
    assert.throws(() => detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])), /xz/);
    assert.throws(() => detectCompression(Buffer.from('BZh91AY')), /bzip2/);
  });

  for (const algorithm of ['gzip', 'zstd'] as const) {
    it(`compresses with ${algorithm}, reports digest and size, and decompresses back`, async () => {
      const { stream, result } = compressLayer(Readable.from([data]), algorithm, 3);
      const blob = await collect(stream);
      const { digest, size } = await result;
      assert.equal(digest, sha256Digest(blob));
      assert.equal(size, blob.length);
      assert.ok(blob.length < data.length / 10);
      assert.ok((await collect(await decompress(Readable.from([blob])))).equals(data));
      const again = await collect(compressLayer(Readable.from([data]), algorithm, 3).stream);
      assert.ok(again.equals(blob), 'deterministic output');
    });
  }

  it('produces standard gzip and zstd streams', async () => {
    const gz = await collect(compressLayer(Readable.from([data]), 'gzip').stream);
    assert.ok(gunzipSync(gz).equals(data));
    const zst = await collect(compressLayer(Readable.from([data]), 'zstd', { level: 19 }).stream);
    assert.ok(execFileSync('zstd', ['-d', '-c', '-q'], { input: zst }).equals(data));
  });

  it('fails corrupt zstd input with E_UNSAFE_ARCHIVE', async () => {
    const zst = execFileSync('zstd', ['-c', '-q'], { input: data });
    const corrupt = Buffer.concat([zst.subarray(0, 8), Buffer.alloc(64, 0xaa)]);
    await assert.rejects(collect(await decompress(Readable.from([corrupt]))), (error: unknown) => {
      assert.ok(isKilnError(error));
      assert.equal(error.code, 'E_UNSAFE_ARCHIVE');
      return true;
    });
  });
});
