/**
 * End-to-end: `kiln build` as the unprivileged user with a base image pulled from a real registry
 * (empty store), the Dockerfile on stdin, `--push` of the result (read back by skopeo), `-q` printing
 * the image ID, and a `type=local` output directory.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { startPlainRegistry } from '../harness/registry.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const run = promisify(execFile);

test('kiln build: base pulled from a registry, Dockerfile on stdin, --push, -q, type=local output', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const registry = await startPlainRegistry();
  const home = await mkdtemp(join(tmpdir(), 'kiln-build-registry-'));
  try {
    await chmod(home, 0o755);
    const seed = join(home, 'seed');
    const store = await openStore({ root: seed, env: {} });
    await writeBusyboxImage(store, 'busybox:latest');
    await mkdir(join(home, 'ctx'));
    await run('chown', ['-R', TEST_USER, home]);
    const kiln = (args: readonly string[], input?: string) =>
      runKiln(args, {
        user: TEST_USER,
        env: { HOME: home },
        cwd: home,
        ...(input === undefined ? {} : { input }),
      });

    const base = `${registry.host}/base/busybox:1`;
    const pushed = await kiln(['--root', seed, 'push', 'busybox:latest', base]);
    assert.equal(pushed.code, 0, pushed.stderr);

    const target = `${registry.host}/app/built:1`;
    const out = join(home, 'out');
    const built = await kiln(
      [
        '--root',
        join(home, 'fresh'),
        'build',
        '-q',
        '-f',
        '-',
        '-t',
        target,
        '--push',
        '-o',
        `type=local,dest=${out}`,
        join(home, 'ctx'),
      ],
      `FROM ${base}\nRUN echo pushed > /msg\nCMD ["cat", "/msg"]\n`,
    );
    assert.equal(built.code, 0, built.stderr);
    const imageId = built.stdout.trim();
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(built.stderr, '');

    assert.equal(await readFile(join(out, 'msg'), 'utf8'), 'pushed\n');

    const inspected = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${target}`])).stdout,
    ) as { Layers: string[] };
    assert.equal(inspected.Layers.length, 2);
    const { stdout: config } = await run('skopeo', [
      'inspect',
      '--config',
      '--tls-verify=false',
      `docker://${target}`,
    ]);
    assert.deepEqual((JSON.parse(config) as { config: { Cmd: string[] } }).config.Cmd, ['cat', '/msg']);
  } finally {
    await registry.stop();
    await rm(home, { recursive: true, force: true });
  }
});
