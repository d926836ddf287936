import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Limiter } from '../../src/solver/limiter.js';

test('limiter: never more than the limit at once, every task runs, results and errors pass through', async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const task = (i: number) =>
    limiter.run(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(5);
      running -= 1;
      if (i === 3) throw new Error('boom');
      return i;
    });
  const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(task));
  assert.equal(peak, 2);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')),
    [0, 1, 2, 'failed', 4, 5],
  );
});

test('limiter: a limit below one still runs tasks one at a time', async () => {
  const limiter = new Limiter(0);
  assert.equal(await limiter.run(async () => 'ok'), 'ok');
});
