import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parseRegistryErrorBody, registryErrorFromResponse } from '../../src/registry/errors.js';

const body = (code: string) =>
  JSON.stringify({ errors: [{ code, message: `msg ${code}`, detail: { x: 1 } }] });

test('registry error codes map to kiln codes', () => {
  const cases: readonly (readonly [string, number, string])[] = [
    ['UNAUTHORIZED', 401, ErrorCode.RegistryAuth],
    ['DENIED', 403, ErrorCode.RegistryDenied],
    ['NAME_UNKNOWN', 404, ErrorCode.RegistryNotFound],
    ['MANIFEST_UNKNOWN', 404, ErrorCode.RegistryNotFound],
    ['BLOB_UNKNOWN', 404, ErrorCode.RegistryNotFound],
    ['MANIFEST_INVALID', 400, ErrorCode.RegistryRejected],
    ['MANIFEST_BLOB_UNKNOWN', 400, ErrorCode.RegistryRejected],
    ['DIGEST_INVALID', 400, ErrorCode.RegistryRejected],
    ['TOOMANYREQUESTS', 429, ErrorCode.RegistryRateLimited],
  ];
  for (const [code, status, expected] of cases) {
    const error = registryErrorFromResponse({ status, body: body(code), action: 'do it' });
    assert.equal(error.code, expected, code);
    assert.equal(error.status, status);
    assert.equal(error.entries[0]?.code, code);
    assert.match(error.message, new RegExp(`do it: .*${code}: msg ${code}`));
  }
});

test('without a JSON body the status decides', () => {
  assert.equal(
    registryErrorFromResponse({ status: 401, body: '', action: 'a' }).code,
    ErrorCode.RegistryAuth,
  );
  assert.equal(
    registryErrorFromResponse({ status: 403, body: 'nope', action: 'a' }).code,
    ErrorCode.RegistryDenied,
  );
  assert.equal(
    registryErrorFromResponse({ status: 404, body: '<html>', action: 'a' }).code,
    ErrorCode.RegistryNotFound,
  );
  assert.equal(
    registryErrorFromResponse({ status: 502, body: '', action: 'a' }).code,
    ErrorCode.RegistryUnreachable,
  );
  assert.equal(registryErrorFromResponse({ status: 418, body: '', action: 'a' }).code, ErrorCode.Registry);
});

test('parseRegistryErrorBody tolerates junk and lowercase codes', () => {
  assert.deepEqual(parseRegistryErrorBody('nope'), []);
  assert.deepEqual(parseRegistryErrorBody('{"errors":"x"}'), []);
  assert.deepEqual(parseRegistryErrorBody('{"errors":[null,{"code":"denied"}]}'), [
    { code: 'DENIED', message: '' },
  ]);
});
