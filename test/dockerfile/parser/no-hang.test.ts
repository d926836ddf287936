/**
 * "The parser never hangs", proven rather than hoped for: a synchronous infinite loop would block a test
 * in the same thread for ever, so the front end runs on generated input in a worker thread that is
 * terminated when it does not answer within a generous bound. The bound only catches hangs and
 * blow-ups (the runs take well under a second); it is not a performance assertion.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FuzzReport, FuzzRequest } from './fixtures/front-end-fuzz-worker.js';

const HANG_BOUND_MS = 60_000;

/** The worker beside this file: `.ts` when run from source (tsx), `.js` when run compiled. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = new URL(`./fixtures/front-end-fuzz-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

type Outcome = FuzzReport | { readonly ok: false; readonly hung: true };

async function runGuarded(request: FuzzRequest, boundMs: number): Promise<Outcome> {
  // From source (tsx), the worker registers tsx's loader itself: workers do not inherit --import hooks.
  const worker = FROM_SOURCE
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); });`,
        { eval: true, workerData: request },
      )
    : new Worker(WORKER, { workerData: request });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<FuzzReport>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, hung: true }), boundMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

describe('the front end never hangs on arbitrary input', () => {
  it('parse + dump + check on generated text answer within the bound, throwing only KilnErrors', async () => {
    const seed = randomInt(2 ** 31);
    const outcome = await runGuarded({ seed, numRuns: 800, mode: 'fuzz' }, HANG_BOUND_MS);
    assert.deepEqual(outcome, { ok: true }, `fast-check seed ${seed} (rerun with it to reproduce)`);
  });

  it('the guard fires on a worker that never returns (so the test above can fail)', async () => {
    const outcome = await runGuarded({ seed: 1, numRuns: 1, mode: 'spin' }, 200);
    assert.deepEqual(outcome, { ok: false, hung: true });
  });
});
