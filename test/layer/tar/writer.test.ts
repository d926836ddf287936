/** TarWriter: output batching, addFile (body read from disk), backpressure without listener leaks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isKilnError } from '../../../src/errors.js';
import { readTar } from '../../../src/layer/tar/reader.js';
import type { TarEntryHeader } from '../../../src/layer/tar/types.js';
import { TarWriter } from '../../../src/layer/tar/writer.js';
import { header, tempDir } from '../tar-fixtures.js';

const MiB = 1024 * 1024;
const SIZES = [0, 1, 511, 512, 513, MiB - 700, MiB, MiB + 1, 3 * MiB + 17];

/** Runs `body` against a writer whose output is collected (read slowly when `slow`). */
async function collect(body: (writer: TarWriter) => Promise<void>, slow = false): Promise<Buffer> {
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of out) {
      chunks.push(chunk as Buffer);
      if (slow) await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const baseline = { drain: out.listenerCount('drain'), close: out.listenerCount('close') };
  const writer = new TarWriter(out);
  await body(writer);
  assert.equal(out.listenerCount('drain'), baseline.drain, 'no drain listener left behind');
  assert.equal(out.listenerCount('close'), baseline.close, 'no close listener left behind');
  await writer.finish();
  await done;
  return Buffer.concat(chunks);
}

async function members(tar: Buffer): Promise<{ header: TarEntryHeader; body: Buffer }[]> {
  const out = [];
  for await (const entry of readTar(Readable.from([tar]))) {
    const parts: Buffer[] = [];
    for await (const chunk of entry.body) parts.push(chunk);
    out.push({ header: entry.header, body: Buffer.concat(parts) });
  }
  return out;
}

describe('TarWriter', () => {
  it('writes the same bytes with addFile as with add, across batch boundaries', async () => {
    const { dir, cleanup } = await tempDir('writer');
    try {
      const bodies = SIZES.map((size) => randomBytes(size));
      const paths = await Promise.all(
        bodies.map(async (body, i) => {
          const path = join(dir, `f${i}`);
          await writeFile(path, body);
          return path;
        }),
      );
      const headers = bodies.map((body, i) => header({ name: `dir/f${i}`, size: body.length }));
      const viaAdd = await collect(async (w) => {
        await w.add(header({ name: 'dir/', type: 'directory' }));
        for (const [i, h] of headers.entries()) await w.add(h, [bodies[i]!]);
      });
      const viaFile = await collect(async (w) => {
        await w.add(header({ name: 'dir/', type: 'directory' }));
        for (const [i, h] of headers.entries()) await w.addFile(h, paths[i]!);
      }, true);
      assert.ok(viaAdd.equals(viaFile), 'identical archives');
      const read = await members(viaFile);
      assert.equal(read.length, SIZES.length + 1);
      for (const [i, body] of bodies.entries()) {
        assert.equal(read[i + 1]!.header.name, `dir/f${i}`);
        assert.ok(read[i + 1]!.body.equals(body), `body ${i} (${body.length} bytes)`);
      }
    } finally {
      await cleanup();
    }
  });

  it('fails with E_INTERNAL when a file is shorter or longer than its header says', async () => {
    const { dir, cleanup } = await tempDir('writer-changed');
    try {
      const path = join(dir, 'f');
      await writeFile(path, 'twelve bytes');
      for (const size of [11, 13]) {
        const out = new PassThrough();
        out.resume();
        const writer = new TarWriter(out);
        await assert.rejects(writer.addFile(header({ name: 'f', size }), path), (error: unknown) => {
          assert.ok(isKilnError(error));
          assert.equal(error.code, 'E_INTERNAL');
          assert.match(error.message, /changed while it was being archived/);
          return true;
        });
      }
    } finally {
      await cleanup();
    }
  });

  it('keeps writing through many waits for a slow reader without piling up listeners', async () => {
    const big = randomBytes(300 * 1024); // above the direct-write threshold
    const small = randomBytes(20 * 1024); // batched
    const tar = await collect(async (w) => {
      for (let i = 0; i < 40; i++) {
        await w.add(header({ name: `big${i}`, size: big.length }), [big]);
        await w.add(header({ name: `small${i}`, size: small.length }), [small]);
      }
    }, true);
    const read = await members(tar);
    assert.equal(read.length, 80);
    assert.ok(read.every((m) => m.body.equals(m.header.name.startsWith('big') ? big : small)));
  });
});
