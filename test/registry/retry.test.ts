import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, KilnError } from '../../src/errors.js';
import {
  backoffDelay,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  withRetry,
} from '../../src/registry/retry.js';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

test('backoff doubles, is capped, and is jittered into [0.5, 1) of the step', () => {
  assert.equal(backoffDelay(0, { ...policy, random: () => 0 }), 50);
  assert.equal(backoffDelay(2, { ...policy, random: () => 0 }), 200);
  assert.equal(backoffDelay(10, { ...policy, random: () => 0.999999 }), 1000);
  for (let i = 0; i < 50; i++) {
    const d = backoffDelay(1, policy);
    assert.ok(d >= 100 && d <= 200, String(d));
  }
});

test('Retry-After as seconds or HTTP date; capped by the policy', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(
    parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    10_000,
  );
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(retryDelay(0, policy, 60_000), 1000);
});

test('retryable statuses and errors', () => {
  assert.deepEqual([429, 500, 502, 503, 504, 400, 401, 404, 501].map(isRetryableStatus), [
    true,
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assert.ok(isRetryableError(Object.assign(new Error('x'), { code: 'ECONNRESET' })));
  assert.ok(
    isRetryableError(new KilnError(ErrorCode.Registry, 'wrapped', { cause: { code: 'UND_ERR_SOCKET' } })),
  );
  assert.ok(isRetryableError(new KilnError(ErrorCode.DigestMismatch, 'bad bytes')));
  assert.ok(!isRetryableError(new KilnError(ErrorCode.RegistryAuth, 'no')));
  assert.ok(!isRetryableError(Object.assign(new Error('a'), { name: 'AbortError', code: 'ECONNRESET' })));
});

test('withRetry retries transient failures only, up to the limit', async () => {
  let calls = 0;
  const value = await withRetry(
    async () => {
      calls += 1;
      if (calls < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return 'ok';
    },
    { policy: { ...policy, baseDelayMs: 1 } },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls += 1;
        throw new KilnError(ErrorCode.RegistryDenied, 'denied');
      },
      { policy },
    ),
    { code: ErrorCode.RegistryDenied },
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls += 1;
        throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      },
      { policy: { ...policy, baseDelayMs: 1 } },
    ),
  );
  assert.equal(calls, 4);
});
