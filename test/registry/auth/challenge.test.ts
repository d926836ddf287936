import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, pickChallenge } from '../../../src/registry/auth/challenge.js';

test('Bearer with quoted realm, service and a comma-separated scope list', () => {
  const [c] = parseChallenges(
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
  );
  assert.deepEqual(c && c.kind === 'bearer' && [c.realm, c.service, c.scopes], [
    'https://auth.docker.io/token',
    'registry.docker.io',
    ['repository:samalba/my-app:pull,push'],
  ]);
});

test('several challenges in one header, token values, spaces around = and escapes', () => {
  const challenges = parseChallenges(
    'Basic realm="a, b", Bearer realm = "https://x/t\\"q",service=svc , error="insufficient_scope"',
  );
  assert.equal(challenges.length, 2);
  assert.equal(challenges[0]!.kind, 'basic');
  assert.equal(challenges[0]!.params.realm, 'a, b');
  const bearer = challenges[1]!;
  assert.ok(bearer.kind === 'bearer');
  assert.equal(bearer.realm, 'https://x/t"q');
  assert.equal(bearer.service, 'svc');
  assert.equal(bearer.params.error, 'insufficient_scope');
  assert.equal(pickChallenge(challenges), bearer);
});

test('scheme names are case-insensitive; multiple space-separated scopes split', () => {
  const [c] = parseChallenges('BEARER REALM="http://r",Scope="repository:a:pull repository:b:pull"');
  assert.ok(c?.kind === 'bearer');
  assert.deepEqual(c.scopes, ['repository:a:pull', 'repository:b:pull']);
});

test('multiple header values and unknown schemes', () => {
  const challenges = parseChallenges(['Negotiate abc==', 'Basic realm=x']);
  assert.deepEqual(
    challenges.map((c) => c.kind),
    ['other', 'basic'],
  );
  assert.equal(pickChallenge(challenges)?.kind, 'basic');
  assert.equal(pickChallenge(parseChallenges('Negotiate')), undefined);
});

test('Bearer without realm is not usable; garbage never throws', () => {
  assert.equal(parseChallenges('Bearer service="x"')[0]!.kind, 'other');
  for (const text of ['', ',,,', '"', '=', 'Bearer realm="unterminated', '\u0000 Basic']) {
    assert.doesNotThrow(() => parseChallenges(text));
  }
  assert.deepEqual(parseChallenges(undefined), []);
});
