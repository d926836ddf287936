// Regression test: a step's environment (which may hold secrets from RUN --mount=type=secret,env=X)
// must never appear on a command line — /proc/PID/cmdline is readable by every user of the host.
// Runs as `kilntest` through run-scenarios.ts (scenario `env-secret`) for every isolation strategy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

interface Outcome {
  exitCode?: number;
  stdout: string[];
  stderr: string[];
  error?: string;
  extra?: {
    secret: string;
    stepCommandLines: number;
    stepHits: string[];
    hostHits: string[];
    during: string[];
    after: string[];
    afterExact: string[];
    bundle?: { configHasSecret: boolean; dirMode: string; configMode: string };
    tempMode: string;
    environ: string[];
    expectedEnviron: string[];
  };
}

function scenario(isolation: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'runuser',
      [
        '-u',
        'kilntest',
        '--',
        process.execPath,
        '--import',
        'tsx',
        'test/executor/fixtures/run-scenarios.ts',
        isolation,
        'env-secret',
      ],
      { cwd: repoRoot(), env: { PATH: process.env.PATH, HOME: '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`scenario runner exited ${code}: ${err}`));
      else resolve((JSON.parse(out) as Record<string, Outcome>)['env-secret']!);
    });
  });
}

const skip =
  process.getuid?.() === 0 && existsSync('/bin/busybox') ? false : 'needs root (runuser) and busybox-static';

for (const isolation of ['chroot', 'no-pid-sandbox', 'oci-runc']) {
  describe(`step environment stays off command lines (${isolation})`, { skip, timeout: 120_000 }, () => {
    let r: Outcome;
    before(async () => {
      r = await scenario(isolation);
    });

    it('the command sees the secret in its environment, and exactly the given entries', () => {
      assert.equal(r.error, undefined, r.stderr.join('\n'));
      assert.equal(r.exitCode, 0, r.stderr.join('\n'));
      const x = r.extra!;
      assert.ok(r.stdout.includes(`value:${x.secret}`), r.stdout.join('\n'));
      assert.deepEqual(x.environ, x.expectedEnviron);
    });

    it('no command line in the step (its own, its parent’s, any) nor on the host holds the value', () => {
      const x = r.extra!;
      assert.ok(x.stepCommandLines >= 2, 'the step saw at least itself and its parent');
      assert.ok(
        r.stdout.some((l) => l.startsWith('self-parent ')),
        r.stdout.join('\n'),
      );
      assert.deepEqual(x.stepHits, []);
      assert.deepEqual(x.hostHits, []);
    });

    it('the private temp dir lives under the given tempDir while the step runs and is removed after', () => {
      const x = r.extra!;
      assert.ok(
        x.during.some((p) => /^kiln-step-[^/]+\/hosts$/.test(p)),
        `etc files under tempDir: ${x.during.join(', ')}`,
      );
      assert.equal(x.tempMode, '700', 'the step temp dir (file mounts, etc files) is private');
      assert.deepEqual(x.after, []);
      assert.deepEqual(x.afterExact, []);
      if (isolation.startsWith('oci')) {
        assert.ok(x.bundle, `bundle/config.json under tempDir: ${x.during.join(', ')}`);
        assert.equal(x.bundle.configHasSecret, true, 'config.json carries the env');
        assert.equal(x.bundle.dirMode, '700');
        assert.equal(x.bundle.configMode, '600');
      } else {
        assert.equal(x.bundle, undefined);
      }
    });
  });
}
