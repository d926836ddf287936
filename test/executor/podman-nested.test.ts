// kiln's executor and snapshotter inside a rootless podman container (default masks and seccomp,
// --network host), started as the non-root user `kilntest`. The container's rootfs is a directory with
// the host's /usr bound read-only (node, busybox, util-linux come from there) and /work/main read-only.
// Inside, kiln is uid 0 of a non-initial user namespace: it enters a nested one (plan `nested`), and
// the probe must settle on `no-pid-sandbox` (podman masks /proc, so a fresh procfs cannot be mounted).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, resolveImage } from '../../src/store/index.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { cliPath, repoRoot } from '../helpers/paths.js';

const usable = process.getuid?.() === 0 && existsSync('/usr/bin/podman') && existsSync('/bin/busybox');
let rootfs = '';
let base = '';

function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

function podman(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const runtime = existsSync('/usr/sbin/runc') ? ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'] : [];
  const r = spawnSync(
    'runuser',
    [
      '-u',
      'kilntest',
      '--',
      'podman',
      ...runtime,
      'run',
      '--rm',
      '--network',
      'host',
      '-v',
      '/usr:/usr:ro',
      '-v',
      `${repoRoot()}:${repoRoot()}:ro`,
      '-w',
      repoRoot(),
      '-e',
      'HOME=/tmp',
      '--rootfs',
      rootfs,
      ...args,
    ],
    { cwd: '/tmp', encoding: 'utf8', timeout: 300_000, env: { PATH: process.env.PATH } },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('inside a rootless podman container', {
  skip: !usable && 'needs root (runuser), podman and busybox-static',
}, () => {
  before(async () => {
    base = await mkdtemp('/tmp/kiln-podman-');
    await chmod(base, 0o755);
    rootfs = join(base, 'rootfs');
    await mkdir(rootfs);
    for (const name of ['bin', 'sbin', 'lib', 'lib64']) {
      const link = (() => {
        try {
          return readlinkSync(`/${name}`);
        } catch {
          return undefined;
        }
      })();
      if (link !== undefined) await symlink(link, join(rootfs, name));
    }
    for (const dir of ['usr', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'work'])
      await mkdir(join(rootfs, dir));
    const uid = uidOf('kilntest');
    for (const dir of ['', 'usr', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'work'])
      await chown(join(rootfs, dir), uid, uid);
    await chmod(join(rootfs, 'tmp'), 0o1777);
  });
  after(() => rm(base, { recursive: true, force: true }));

  it('probes no-pid-sandbox in a nested namespace and runs steps there', () => {
    const r = podman([
      'node',
      '--import',
      'tsx',
      'test/executor/fixtures/run-scenarios.ts',
      'auto',
      'id',
      'chown',
      'exit',
      'network-none',
      'user-env-workdir',
      'mounts',
      'abort',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual(d.context.stdout, ['nested']);
    assert.deepEqual(d.auto.stdout, ['no-pid-sandbox']);
    assert.deepEqual(d.id.stdout, ['0']);
    assert.deepEqual(d.chown.stdout, ['1000:1000']);
    assert.equal(d.exit.exitCode, 42);
    assert.match(d['network-none'].stdout[0], /lo: <LOOPBACK,UP/);
    assert.deepEqual(d['user-env-workdir'].stdout, ['1000:1000:1000 2000|/work/dir|bar baz|/home/app']);
    assert.deepEqual(d.mounts.extra.leftovers, []);
    assert.equal(d.abort.error, 'E_ABORTED');
    assert.equal(d.abort.extra.stray, 0);
  });

  it('mounts kernel overlayfs (userxattr) in the nested namespace', () => {
    const r = podman([
      'node',
      '--import',
      'tsx',
      'test/snapshot/fixtures/snapshot-scenarios.ts',
      'no-pid-sandbox',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(d.chosen, 'overlay');
    assert.equal(d.userxattr, true);
    assert.deepEqual(d.overlay.stdout, ['1000']);
  });

  it('kiln build as uid 0 of the container: enters a nested namespace, RUN chown works', async () => {
    // The container's / is kilntest's: seed a store with the busybox base and a context in its /tmp.
    const kroot = join(rootfs, 'tmp', 'kroot');
    const store = await openStore({ root: kroot, env: {} });
    await writeBusyboxImage(store, 'busybox:latest');
    const ctx = join(rootfs, 'tmp', 'ctx');
    await mkdir(ctx);
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo hi > /hi && chown 1000:1000 /hi\n');
    spawnSync('chown', ['-R', 'kilntest:kilntest', kroot, ctx]);
    const r = podman([
      'node',
      cliPath(),
      '--root',
      '/tmp/kroot',
      'build',
      '--progress',
      'plain',
      '-t',
      'nested:1',
      '/tmp/ctx',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /unshare failed/);
    const image = await resolveImage(await openStore({ root: kroot, env: {} }), 'nested:1');
    const layer = image.manifest.layers.at(-1);
    assert.ok(layer);
    const listing = spawnSync(
      'tar',
      [
        '-tvf',
        join(kroot, 'store', 'blobs', 'sha256', layer.digest.slice('sha256:'.length)),
        '--numeric-owner',
      ],
      { encoding: 'utf8' },
    );
    assert.match(listing.stdout, /^-rw-r--r-- 1000\/1000 +3 .* hi$/m);
  });
});
