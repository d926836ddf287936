// End-to-end executor tests: the rootless path runs as the non-root users `kilntest` (subordinate
// ranges) and `kilntest-noid` (single-id fallback), through run-scenarios.ts, which enters kiln's user
// namespace, builds a busybox rootfs and runs each scenario with runStep.
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
    createdMountPoints?: string[];
    leftovers?: string[];
    wrote?: string;
    ms?: number;
    stray?: number;
    sameMtimes?: boolean;
  };
}

const ALL = [
  'id',
  'chown',
  'mkfifo',
  'exit',
  'network-none',
  'network-host',
  'user-env-workdir',
  'user-numeric',
  'user-unknown',
  'sandbox',
  'mounts',
  'abort',
];

function scenarios(
  user: string,
  isolation: string,
  names: readonly string[],
): Promise<Record<string, Outcome>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'runuser',
      [
        '-u',
        user,
        '--',
        process.execPath,
        '--import',
        'tsx',
        'test/executor/fixtures/run-scenarios.ts',
        isolation,
        ...names,
      ],
      { cwd: repoRoot(), env: { PATH: process.env.PATH, HOME: '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
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

const canRunAs = process.getuid?.() === 0 && existsSync('/bin/busybox');

for (const isolation of ['chroot', 'no-pid-sandbox', 'oci-runc']) {
  describe(`rootless runStep as kilntest (${isolation})`, {
    skip: !canRunAs && 'needs root (runuser) and busybox-static',
  }, () => {
    let r: Record<string, Outcome> = {};
    before(async () => {
      r = await scenarios('kilntest', isolation, ALL);
    });

    it('runs as uid 0 inside the user namespace', () => {
      assert.deepEqual(r.id!.stdout, ['0']);
      assert.equal(r.id!.exitCode, 0);
    });

    it('chown to a subordinate id works and stat shows it', () => {
      assert.deepEqual(r.chown!.stdout, ['1000:1000'], r.chown!.stderr.join('\n'));
    });

    it('mkfifo works', () => {
      assert.deepEqual(r.mkfifo!.stdout, ['fifo-ok']);
    });

    it('propagates the exit code and streams output before it', () => {
      assert.equal(r.exit!.exitCode, 42);
      assert.deepEqual(r.exit!.stdout, ['partial']);
    });

    it('network none has only lo, up; host network has more', () => {
      assert.equal(r['network-none']!.stdout.length, 1);
      assert.match(r['network-none']!.stdout[0]!, /^\s*lo: <LOOPBACK,UP/);
      assert.ok(Number(r['network-host']!.stdout[0]) > 1, r['network-host']!.stdout.join());
    });

    it('applies USER (with supplementary groups from /etc/group), WORKDIR (created) and env', () => {
      assert.deepEqual(r['user-env-workdir']!.stdout, ['1000:1000:1000 2000|/work/dir|bar baz|/home/app']);
      assert.deepEqual(r['user-numeric']!.stdout, ['4321:99']);
      assert.equal(r['user-unknown']!.error, 'E_EXECUTOR');
    });

    it('provides hostname, /etc files, /dev nodes, devpts, read-only /sys', () => {
      const out = r.sandbox!.stdout;
      if (isolation !== 'no-pid-sandbox') assert.equal(out[0], 'pid=1');
      assert.deepEqual(out.slice(1), [
        'kiln-test',
        'kiln-test',
        '1',
        'devnull-ok',
        '4',
        'sys-ro',
        'pts-ok',
        'fd-ok',
      ]);
    });

    it('bind (ro/rw), tmpfs with size and file mounts work, and leave no mount points behind', () => {
      const m = r.mounts!;
      assert.deepEqual(m.stdout, ['from-host', 'ro-denied', '1024', 'sekret'], m.stderr.join('\n'));
      assert.equal(m.extra!.wrote, 'w\n');
      assert.deepEqual(m.extra!.leftovers, []);
      assert.equal(m.extra!.sameMtimes, true, 'timestamps of / and /etc are restored');
      assert.ok(m.extra!.createdMountPoints!.includes('/run/secrets/token'));
      assert.ok(m.extra!.createdMountPoints!.includes('/etc/hosts'));
    });

    it('abort kills the step with E_ABORTED and leaves no process behind', () => {
      const a = r.abort!;
      assert.equal(a.error, 'E_ABORTED');
      assert.equal(a.extra!.stray, 0);
      assert.ok(a.extra!.ms! < 30_000);
    });
  });
}

describe('single-id fallback as kilntest-noid (chroot)', {
  skip: !canRunAs && 'needs root (runuser)',
}, () => {
  let r: Record<string, Outcome> = {};
  before(async () => {
    r = await scenarios('kilntest-noid', 'chroot', [
      'id',
      'chown',
      'mkfifo',
      'user-env-workdir',
      'network-none',
      'probe',
    ]);
  });
  it('runs as 0; chown to an unmapped id fails; a non-root USER is refused with E_USERNS', () => {
    assert.deepEqual(r.id!.stdout, ['0']);
    assert.notEqual(r.chown!.exitCode, 0);
    assert.deepEqual(r.mkfifo!.stdout, ['fifo-ok']);
    assert.equal(r['user-env-workdir']!.error, 'E_USERNS');
    assert.match(r['network-none']!.stdout[0] ?? '', /lo: <LOOPBACK,UP/);
  });
  it('probes a working isolation strategy', () => {
    assert.equal(r.probe!.error, undefined, r.probe!.stderr.join('\n'));
    assert.ok(r.probe!.stdout[0]);
  });
});
