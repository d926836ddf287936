/**
 * `--shm-size` and `--ulimit` in both isolations: the /dev/shm tmpfs (64 MiB by default, as in
 * BuildKit) and the process's resource limits (OCI rlimits; prlimit on the chroot script's shell).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { chrootScript } from '../../src/executor/chroot-script.js';
import type { HostTools } from '../../src/executor/host-tools.js';
import { ociSpec } from '../../src/executor/oci-spec.js';
import type { PreparedStep } from '../../src/executor/prepare.js';
import { DEFAULT_SHM_SIZE_BYTES, shmSizeOption } from '../../src/executor/shm-size.js';
import { envHandOver } from '../../src/executor/step-env.js';
import type { StepUlimit } from '../../src/executor/types.js';

const step: PreparedStep = {
  root: '/r',
  user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  env: ['PATH=/bin'],
  cwd: '/',
  tempDir: '/t',
  dev: '/r/dev',
  proc: '/r/proc',
  sys: '/r/sys',
  etc: [],
  mounts: [],
  created: [],
  cleanup: async () => [],
};

/** Every required host tool "found" in /bin; the optional ones missing. */
const tools: HostTools = {
  ...(Object.fromEntries(['sh', 'unshare', 'mount', 'setpriv', 'env'].map((n) => [n, `/bin/${n}`])) as Pick<
    HostTools,
    'sh' | 'unshare' | 'mount' | 'setpriv' | 'env'
  >),
  ip: undefined,
  hostname: undefined,
};

function spec(extra: { shmSizeBytes?: number; ulimits?: readonly StepUlimit[] } = {}) {
  return ociSpec({
    step,
    args: ['true'],
    hostname: 'h',
    network: 'host',
    gidCount: 65536,
    arch: 'x64',
    seccomp: false,
    ...extra,
  });
}

function shmOptions(shmSizeBytes?: number): readonly string[] {
  return spec(shmSizeBytes === undefined ? {} : { shmSizeBytes }).mounts.find(
    (m) => m.destination === '/dev/shm',
  )!.options;
}

function script(
  extra: { shmSizeBytes?: number; ulimits?: readonly StepUlimit[] } = {},
  withTools = tools,
): string {
  return chrootScript({
    step,
    tools: withTools,
    args: ['true'],
    network: 'host',
    hostname: 'h',
    proc: 'fresh',
    setgroups: true,
    env: envHandOver(step.env),
    ...extra,
  });
}

function chrootShmLine(shmSizeBytes?: number): string {
  return script(shmSizeBytes === undefined ? {} : { shmSizeBytes })
    .split('\n')
    .find((l) => l.includes('kiln-shm'))!;
}

describe('/dev/shm size', () => {
  it('is 64 MiB by default, in KiB as BuildKit writes it', () => {
    assert.equal(DEFAULT_SHM_SIZE_BYTES, 64 * 1024 * 1024);
    assert.equal(shmSizeOption(undefined), 'size=65536k');
    assert.ok(shmOptions().includes('size=65536k'));
    assert.match(chrootShmLine(), /,size=65536k kiln-shm/);
  });
  it('follows --shm-size in the OCI spec and the chroot script', () => {
    assert.ok(shmOptions(128 * 1024 * 1024).includes('size=131072k'));
    assert.ok(!shmOptions(128 * 1024 * 1024).includes('size=65536k'));
    assert.match(chrootShmLine(1000), /,size=1k kiln-shm/);
    assert.match(chrootShmLine(2 * 1024 * 1024), /,size=2048k kiln-shm/);
  });
});

describe('resource limits', () => {
  const ulimits = [
    { name: 'nofile', soft: 1024, hard: 2048 },
    { name: 'nproc', soft: 50, hard: 50 },
  ];
  it('become OCI rlimits; none without --ulimit', () => {
    assert.deepEqual(spec({ ulimits }).process.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_NPROC', soft: 50, hard: 50 },
    ]);
    assert.equal(spec().process.rlimits, undefined);
    assert.equal(spec({ ulimits: [] }).process.rlimits, undefined);
  });
  it('are set with prlimit on the chroot shell before it execs the command', () => {
    const lines = script({ ulimits }, { ...tools, prlimit: '/usr/bin/prlimit' })
      .trim()
      .split('\n');
    const at = lines.findIndex((l) => l.includes('prlimit'));
    assert.equal(lines[at], "'/usr/bin/prlimit' --pid $$ '--nofile=1024:2048' '--nproc=50:50'");
    assert.ok(at < lines.length - 1 && lines.at(-1)!.startsWith('exec '));
    assert.ok(!script({}, { ...tools, prlimit: '/usr/bin/prlimit' }).includes('prlimit'));
  });
  it('without prlimit on the host, a chroot step with --ulimit fails with E_EXECUTOR', () => {
    assert.throws(
      () => script({ ulimits }),
      (e: unknown) => isKilnError(e) && e.code === 'E_EXECUTOR' && /--ulimit needs prlimit/.test(e.message),
    );
  });
});
