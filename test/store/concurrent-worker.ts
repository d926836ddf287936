/**
 * Child-process worker for the store concurrency tests (run with `node --import tsx`).
 * Usage: concurrent-worker.ts ROOT MODE ID COUNT
 *   tag   — writes COUNT own images + one image shared by all workers, tags each, retags `shared`
 *   prune — runs GC COUNT times with no grace period (only leases and the index lock protect writers)
 *   hang  — starts writing a blob and never finishes (the parent kills it)
 */
import { Readable } from 'node:stream';
import { openStore, prune, setImageTag, tagImage } from '../../src/store/index.js';
import { writeTestImage } from './store-fixtures.js';

const [root, mode, id, countText] = process.argv.slice(2);
const count = Number(countText ?? '1');
const store = await openStore({ root, lock: { timeoutMs: 120_000 } });

switch (mode) {
  case 'tag': {
    for (let i = 0; i < count; i++) {
      // The lease protects the blobs from a concurrent `prune` until the tag refers to them.
      const lease = await store.createLease();
      const own = await writeTestImage(store, { seed: `worker ${id} image ${i}`, layerCount: 2, lease });
      await setImageTag(store, `example.com/w${id}:t${i}`, own.manifest);
      const shared = await writeTestImage(store, { seed: 'shared by all workers', layerCount: 3, lease });
      await setImageTag(store, 'example.com/shared:latest', shared.manifest);
      await tagImage(store, `example.com/w${id}:t${i}`, `example.com/w${id}:latest`);
      await lease.release();
    }
    break;
  }
  case 'prune': {
    for (let i = 0; i < count; i++) await prune(store, { gracePeriodMs: 0 });
    break;
  }
  case 'hang': {
    async function* forever() {
      yield Buffer.alloc(4096, 1);
      process.stdout.write('writing\n');
      // A pending promise alone would let the process exit; a timer keeps it alive until killed.
      await new Promise(() => setInterval(() => undefined, 1000));
    }
    await store.writeBlob(Readable.from(forever()));
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
