// Secret, ssh and cache mounts in real RUN steps, as the non-root user `kilntest` inside kiln's user
// namespace (busybox rootfs; ssh-add bound in from the host with its libraries).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../helpers/paths.js';

/** node arguments running the fixture beside this file: `.ts` through tsx from source, `.js` when compiled. */
const FIXTURE = import.meta.url.endsWith('.ts')
  ? ['--import', 'tsx', fileURLToPath(new URL('./fixtures/run-secret-scenarios.ts', import.meta.url))]
  : [fileURLToPath(new URL('./fixtures/run-secret-scenarios.js', import.meta.url))];

interface Outcome {
  exitCode?: number;
  stdout: string[];
  stderr: string[];
  error?: string;
  createdMountPoints?: string[];
  extra?: { leftovers?: string[]; sizes?: number[] };
}

function scenarios(user: string, isolation: string, keyFile: string): Promise<Record<string, Outcome>> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', user, '--', process.execPath, ...FIXTURE, isolation, keyFile], {
      cwd: repoRoot(),
      env: { PATH: process.env.PATH, HOME: '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`scenario runner exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Record<string, Outcome>);
    });
  });
}

const canRunAs = process.getuid?.() === 0 && existsSync('/bin/busybox') && existsSync('/usr/bin/ssh-add');

for (const isolation of ['oci-runc', 'chroot']) {
  describe(`secret/ssh/cache mounts as kilntest (${isolation})`, {
    skip: !canRunAs && 'needs root (runuser), busybox-static, openssh-client',
  }, () => {
    let r: Record<string, Outcome> = {};
    let keyDir = '';
    before(async () => {
      keyDir = mkdtempSync(join(tmpdir(), 'kiln-sshkey-'));
      chmodSync(keyDir, 0o755);
      const key = join(keyDir, 'id');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kiln-step-key', '-f', key]);
      execFileSync('chown', ['kilntest', key]);
      r = await scenarios('kilntest', isolation, key);
    });
    after(() => rmSync(keyDir, { recursive: true, force: true }));

    it('keeps secrets on a memory file system', () => {
      assert.deepEqual(r.scratch!.stdout, ['dev-shm', 'true']);
    });

    it('a step reads the secret at /run/secrets/ID and via env=, read-only, with mode/uid/gid', () => {
      const s = r.secret!;
      assert.equal(s.exitCode, 0, `${s.error ?? ''} ${s.stderr.join('\n')}`);
      assert.deepEqual(s.stdout, [
        's3cret-Value-42',
        'env:s3cret-Value-42',
        '400 0:0',
        '440 1000:1000',
        'ro',
      ]);
      assert.deepEqual(r['secret-as-app']!.stdout, ['s3cret-Value-42']);
    });

    it('the secret file and its mount points are not left in the rootfs and are reported for exclusion', () => {
      const s = r.secret!;
      assert.deepEqual(s.extra!.leftovers, []);
      for (const p of ['/run', '/run/secrets', '/run/secrets/token', '/etc/app', '/etc/app/token']) {
        assert.ok(s.createdMountPoints!.includes(p), `${p} in ${s.createdMountPoints}`);
      }
    });

    it('masks the secret in step output', () => {
      assert.deepEqual(r['secret-masked']!.stdout, ['value: **** end']);
    });

    it('skips a missing optional secret', () => {
      assert.deepEqual(r['secret-optional-missing']!.stdout, ['absent']);
    });

    it('ssh-add -l inside the step lists the key loaded from a key file', () => {
      const s = r.ssh!;
      assert.equal(s.exitCode, 0, `${s.error ?? ''} ${s.stderr.join('\n')}`);
      assert.equal(s.stdout[0], 'sock:/run/buildkit/ssh_agent.0');
      assert.equal(s.stdout[1], '600');
      assert.match(s.stdout[2]!, /^256 SHA256:\S+ kiln-step-key \(ED25519\)$/);
      assert.deepEqual(s.extra!.leftovers, []);
    });

    it('a cache mount persists between two steps and is not left in the rootfs', () => {
      assert.deepEqual(r['cache-1']!.stdout, ['wrote'], r['cache-1']!.error);
      assert.deepEqual(r['cache-2']!.stdout, ['persisted']);
      assert.deepEqual(r['cache-2']!.extra!.leftovers, []);
      assert.deepEqual(r['cache-2']!.extra!.sizes, [10]);
    });
  });
}
