/**
 * Regression: a blob that another writer stored first makes writeBlob drop its source stream. An HTTP
 * body emits 'error' when destroyed early; that error must not become an uncaught exception (it
 * crashed `kiln build` when a pull and an archive import wrote the same layer at once).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.js';
import { openStore } from '../../src/store/local-store.js';

/** A stream that, like undici's body, emits 'error' when destroyed before its end. */
function bodyLike(data: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(data);
      }
    },
    destroy(_error, callback) {
      callback(new Error('Request aborted'));
    },
  });
}

test('writeBlob of a blob already present drops the source without an unhandled stream error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-blob-discard-'));
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const store = await openStore({ root: dir, env: {} });
    const data = Buffer.from('layer bytes');
    const expected = { digest: sha256Digest(data), size: data.length };
    await store.writeBlob(data);
    const info = await store.writeBlob(bodyLike(data), { expected });
    assert.deepEqual(info, expected);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    await rm(dir, { recursive: true, force: true });
  }
});
