/**
 * `--shm-size`: the /dev/shm tmpfs of a step in both isolations (64 MiB by default, as in BuildKit).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chrootScript } from '../../src/executor/chroot-script.js';
import type { HostTools } from '../../src/executor/host-tools.js';
import { ociSpec } from '../../src/executor/oci-spec.js';
import type { PreparedStep } from '../../src/executor/prepare.js';
import { DEFAULT_SHM_SIZE_BYTES, shmSizeOption } from '../../src/executor/shm-size.js';
import { envHandOver } from '../../src/executor/step-env.js';

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

function shmOptions(shmSizeBytes?: number): readonly string[] {
  const spec = ociSpec({
    step,
    args: ['true'],
    hostname: 'h',
    network: 'host',
    gidCount: 65536,
    arch: 'x64',
    seccomp: false,
    ...(shmSizeBytes === undefined ? {} : { shmSizeBytes }),
  });
  return spec.mounts.find((m) => m.destination === '/dev/shm')!.options;
}

function chrootShmLine(shmSizeBytes?: number): string {
  const script = chrootScript({
    step,
    tools,
    args: ['true'],
    network: 'host',
    hostname: 'h',
    proc: 'fresh',
    setgroups: true,
    env: envHandOver(step.env),
    ...(shmSizeBytes === undefined ? {} : { shmSizeBytes }),
  });
  return script.split('\n').find((l) => l.includes('kiln-shm'))!;
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
