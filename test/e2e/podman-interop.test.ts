/**
 * Interop: an image pushed by the real kiln CLI (as the unprivileged user) to a real registry on
 * 127.0.0.1 is inspected by skopeo and pulled and run by rootless podman.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { startPlainRegistry } from '../harness/registry.js';
import { asUser } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const run = promisify(execFile);

test('kiln push → skopeo inspect → rootless podman pull + run', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const registry = await startPlainRegistry();
  const home = await mkdtemp(join(tmpdir(), 'kiln-podman-'));
  try {
    const { stdout: uid } = await run('id', ['-u', TEST_USER]);
    const { stdout: gid } = await run('id', ['-g', TEST_USER]);
    await chmod(home, 0o755);
    await chown(home, Number(uid), Number(gid));
    await asUser(TEST_USER, home, ['mkdir', '-p', `${home}/run`, `${home}/kiln`]);
    await run('chmod', ['700', `${home}/run`]);

    // The image is written into the unprivileged user's own kiln store (as root, then handed over).
    const store = await openStore({ root: join(home, 'kiln'), env: {} });
    const image = await writeBusyboxImage(store, 'localhost/interop/busybox:1', {
      Cmd: ['/bin/sh', '-c', 'echo hello from a kiln-pushed image; id -u'],
    });
    await run('chown', ['-R', `${uid.trim()}:${gid.trim()}`, join(home, 'kiln')]);

    const target = `${registry.host}/interop/busybox:1`;
    const push = await runKiln(
      ['--root', join(home, 'kiln'), 'push', 'localhost/interop/busybox:1', target],
      {
        user: TEST_USER,
        env: { HOME: home },
        cwd: home,
      },
    );
    assert.equal(push.code, 0, push.stderr);

    const inspected = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${target}`])).stdout,
    ) as { Digest: string; Os: string; Architecture: string };
    assert.equal(inspected.Digest, image.manifest.digest);
    assert.equal(inspected.Os, 'linux');

    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${target}`, `oci:${home}/copied:1`]);

    const podman = [
      'podman',
      '--root',
      `${home}/podman-root`,
      '--runroot',
      `${home}/run/podman`,
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'none',
    ];
    await asUser(TEST_USER, home, [...podman, 'pull', '--tls-verify=false', target]);
    const output = await asUser(TEST_USER, home, [
      ...podman,
      '--runtime',
      'runc',
      'run',
      '--rm',
      '--network',
      'host',
      target,
    ]);
    assert.match(output, /hello from a kiln-pushed image/);
    assert.match(output, /^0$/m);
    const digest = (
      await asUser(TEST_USER, home, [...podman, 'image', 'inspect', '--format', '{{.Digest}}', target])
    ).trim();
    assert.equal(digest, image.manifest.digest);
  } finally {
    await registry.stop();
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
});
