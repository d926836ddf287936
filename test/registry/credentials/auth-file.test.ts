import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../../src/errors.js';
import {
  candidateKeys,
  entryToCredential,
  lookupKey,
  normalizeAuthKey,
  parseAuthFile,
} from '../../../src/registry/credentials/auth-file.js';

test('keys: URLs become host[:port], Docker Hub aliases become docker.io, namespaces are kept', () => {
  assert.equal(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeAuthKey('registry-1.docker.io'), 'docker.io');
  assert.equal(normalizeAuthKey('http://Reg.Example:5000/v2/'), 'reg.example:5000');
  assert.equal(normalizeAuthKey('quay.io/team/'), 'quay.io/team');
  assert.deepEqual(candidateKeys('quay.io', 'team/sub/app'), [
    'quay.io/team/sub/app',
    'quay.io/team/sub',
    'quay.io/team',
    'quay.io',
  ]);
});

test('parse docker config: auth base64, username/password, identitytoken, helpers', () => {
  const file = parseAuthFile(
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
        'reg.example': { username: 'u', password: 'p' },
        'tok.example': { identitytoken: 'refresh' },
        'empty.example': {},
        'quay.io/team': { auth: Buffer.from('team:t').toString('base64') },
      },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
    }),
    'config.json',
  );
  const cred = (registry: string, repo?: string) => {
    const entry = lookupKey(file.auths, registry, repo);
    return entry && entryToCredential(entry, 'x');
  };
  assert.deepEqual(cred('docker.io'), { kind: 'basic', username: 'hub', password: 'pa:ss' });
  assert.deepEqual(cred('reg.example'), { kind: 'basic', username: 'u', password: 'p' });
  assert.deepEqual(cred('tok.example'), { kind: 'identityToken', token: 'refresh' });
  assert.equal(cred('empty.example'), undefined);
  assert.deepEqual(cred('quay.io', 'team/app'), { kind: 'basic', username: 'team', password: 't' });
  assert.equal(cred('quay.io', 'other/app'), undefined);
  assert.equal(file.credsStore, 'desktop');
  assert.equal(file.credHelpers['gcr.io'], 'gcloud');
});

test('malformed files and entries are E_CREDENTIALS', () => {
  assert.throws(() => parseAuthFile('{', 'f'), { code: ErrorCode.Credentials });
  assert.throws(() => parseAuthFile('[]', 'f'), { code: ErrorCode.Credentials });
  assert.throws(() => entryToCredential({ auth: Buffer.from('nocolon').toString('base64') }, 'f'), {
    code: ErrorCode.Credentials,
  });
});
