/**
 * End-to-end: the real CLI's front-end commands (`kiln debug ast`, `kiln build --check`), run as the
 * unprivileged test user when possible.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';
import { conformanceDir, repoRoot } from '../helpers/paths.js';

const user = canRunAsTestUser() ? TEST_USER : undefined;

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
  chmodSync(dir, 0o755);
  return dir;
}

test('kiln debug ast reproduces BuildKit dumps byte for byte for every parser testfile', async () => {
  const root = join(conformanceDir(), 'buildkit/frontend/dockerfile/parser/testfiles');
  const names = readdirSync(root);
  assert.ok(names.length > 10);
  for (const name of names) {
    const dir = join(root, name);
    const result = await runKiln(['debug', 'ast', '-f', '-'], {
      input: readFileSync(join(dir, 'Dockerfile')),
      user,
    });
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    assert.equal(result.stdout, readFileSync(join(dir, 'result'), 'utf8'), name);
  }
});

test('kiln debug ast fails with a located diagnostic and no stack trace', async () => {
  const dir = scratchDir();
  writeFileSync(join(dir, 'Dockerfile'), `FROM busybox\nLABEL x=${'a'.repeat(70_000)}\n`);
  const result = await runKiln(['debug', 'ast', '-f', join(dir, 'Dockerfile')], { user });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /dockerfile line greater than max allowed size of 65535/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('kiln build --check accepts the example and prints no errors', async () => {
  const result = await runKiln(['build', '--check', join(repoRoot(), 'examples', 'hello')], { user });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /^error/m);
  assert.match(result.stderr, /0 error\(s\)/);
});

test('kiln build --check points at the offending line with a caret', async () => {
  const dir = scratchDir();
  writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN echo ok\nRUNN echo typo\n');
  const result = await runKiln(['build', '--check', dir], { user });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Dockerfile:3:1/);
  assert.match(result.stderr, /3 \| RUNN echo typo\n\s+\| \^+/);
  assert.match(result.stderr, /E_UNKNOWN_INSTRUCTION/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('kiln build --check reports warnings without failing, and unknown targets as errors', async () => {
  const dir = scratchDir();
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM busybox AS base\nMAINTAINER someone\nARG API_TOKEN\nCMD echo hi\n',
  );
  const ok = await runKiln(['build', '--check', '--build-arg', 'UNUSED=1', dir], { user });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /warning: .*MAINTAINER/i);
  assert.match(ok.stderr, /UNUSED/);
  assert.match(ok.stderr, /API_TOKEN/);
  const bad = await runKiln(['build', '--check', '--target', 'nope', dir], { user });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /nope/);
  assert.match(bad.stderr, /E_STAGE/);
});
