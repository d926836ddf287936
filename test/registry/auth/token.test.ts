import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../../src/errors.js';
import { parseTokenResponse } from '../../../src/registry/auth/token.js';

const now = Date.parse('2025-01-01T00:00:00Z');

test('token or access_token, expires_in, default 60 s, margin applied', () => {
  const a = parseTokenResponse('{"token":"T","expires_in":300}', ['s'], now);
  assert.equal(a.token, 'T');
  assert.equal(a.expiresAt, now + 300_000 - 5_000);
  const b = parseTokenResponse('{"access_token":"A"}', [], now);
  assert.equal(b.token, 'A');
  assert.equal(b.expiresAt, now + 60_000 - 5_000);
});

test('issued_at is honoured when the clocks agree, ignored when far off', () => {
  const close = parseTokenResponse(
    '{"token":"T","expires_in":100,"issued_at":"2024-12-31T23:59:50Z"}',
    [],
    now,
  );
  assert.equal(close.expiresAt, now - 10_000 + 100_000 - 5_000);
  const far = parseTokenResponse(
    '{"token":"T","expires_in":100,"issued_at":"2020-01-01T00:00:00Z"}',
    [],
    now,
  );
  assert.equal(far.expiresAt, now + 100_000 - 5_000);
});

test('missing token or bad JSON is E_REGISTRY', () => {
  assert.throws(() => parseTokenResponse('{}', [], now), { code: ErrorCode.Registry });
  assert.throws(() => parseTokenResponse('<html>', [], now), { code: ErrorCode.Registry });
});
