import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { withFileLock } from '../../src/store/file-lock.js';
import { tempRoot } from './store-fixtures.js';

function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(),
  );
}

describe('withFileLock', () => {
  it('serialises holders within one process', async () => {
    const root = tempRoot();
    try {
      const lock = join(root.dir, 'a.lock');
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withFileLock(lock, async () => {
            inside += 1;
            maxInside = Math.max(maxInside, inside);
            await new Promise((r) => setTimeout(r, 5));
            inside -= 1;
          }),
        ),
      );
      assert.equal(maxInside, 1);
      assert.equal(existsSync(lock), false);
    } finally {
      root.cleanup();
    }
  });

  it('breaks a lock left by a dead process', async () => {
    const root = tempRoot();
    try {
      const lock = join(root.dir, 'b.lock');
      writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), token: 't', created: '' }));
      assert.equal(await withFileLock(lock, async () => 'got it', { timeoutMs: 2000 }), 'got it');
    } finally {
      root.cleanup();
    }
  });

  it('waits for a live holder and times out with E_STORE', async () => {
    const root = tempRoot();
    try {
      const lock = join(root.dir, 'c.lock');
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 't', created: '' }));
      await assert.rejects(
        withFileLock(lock, async () => 'never', { timeoutMs: 200 }),
        (e: unknown) =>
          isKilnError(e) && e.code === 'E_STORE' && e.message.includes(`process ${process.pid}`),
      );
      assert.equal(existsSync(lock), true, 'a live lock is not removed');
    } finally {
      root.cleanup();
    }
  });

  it('treats an unrefreshed lock as stale after staleMs', async () => {
    const root = tempRoot();
    try {
      const lock = join(root.dir, 'd.lock');
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host: 'other-host', token: 't', created: '' }));
      const past = new Date(Date.now() - 60_000);
      utimesSync(lock, past, past);
      assert.equal(await withFileLock(lock, async () => 1, { timeoutMs: 2000, staleMs: 30_000 }), 1);
    } finally {
      root.cleanup();
    }
  });
});
