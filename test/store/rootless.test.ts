/**
 * The store as an unprivileged user: default root under $HOME, and a clear E_STORE for an unwritable root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canRunAsTestUser, TEST_USER } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

function kilnAs(user: string, env: Readonly<Record<string, string>>, args: readonly string[]) {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return spawnSync(
    'runuser',
    ['-u', user, '--', 'env', ...envArgs, process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args],
    { cwd: repoRoot(), encoding: 'utf8' },
  );
}

const readable = spawnSync('runuser', [
  '-u',
  TEST_USER,
  '--',
  'test',
  '-r',
  join(repoRoot(), 'src', 'cli', 'main.ts'),
]);
const skip =
  !canRunAsTestUser() || readable.status !== 0
    ? 'needs root, the kilntest user and a readable checkout'
    : false;

describe('store as an unprivileged user', { skip }, () => {
  it('creates the default root under ~/.local/share/kiln', () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-home-'));
    try {
      spawnSync('chown', [TEST_USER, home]);
      const result = kilnAs(TEST_USER, { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, [
        'images',
        '-q',
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(existsSync(join(home, '.local', 'share', 'kiln', 'store', 'oci-layout')));
      assert.ok(existsSync(join(home, '.local', 'share', 'kiln', 'kiln-store.json')));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reports an unwritable root as E_STORE with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ro-'));
    try {
      chmodSync(dir, 0o755);
      const result = kilnAs(TEST_USER, { HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin' }, [
        '--root',
        join(dir, 'root'),
        'images',
      ]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /cannot create store .*\[E_STORE\]/);
      assert.match(result.stderr, /hint: choose a writable directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
