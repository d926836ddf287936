/**
 * End-to-end, as the unprivileged test user: the docker build flags that change what RUN steps see
 * and what the manifest says. `--add-host` entries land in the steps' /etc/hosts (after the defaults,
 * `IP<TAB>NAME` as BuildKit writes them), `--shm-size` sizes /dev/shm, `--ulimit` sets the steps'
 * limits, `--annotation` annotates the
 * manifest; the same flags rebuild fully cached, another --add-host value re-runs the step. Checked
 * with skopeo (manifest) and GNU tar (the RUN layer's files).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { handOver, kilnAs, makeHome, plainSteps } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKERFILE = `FROM busybox
RUN grep -v '^#' /etc/hosts > /hosts.txt && df -k /dev/shm | tail -1 | awk '{print $2}' > /shm.txt && \\
    echo "$(ulimit -n) $(ulimit -Hn)" > /nofile.txt
`;

function skipReason(): string | false {
  if (!canRunAsTestUser()) return 'needs root and the kilntest user (scripts/setup-host.sh)';
  const missing = ['skopeo', 'tar'].find((tool) => spawnSync('which', [tool]).status !== 0);
  return missing === undefined ? false : `${missing} is not installed`;
}

interface Manifest {
  readonly annotations?: Record<string, string>;
  readonly layers: readonly { readonly digest: string }[];
}

/** The stored manifest as skopeo reads it from kiln's OCI layout. */
async function storedManifest(root: string, ref: string): Promise<Manifest> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', `oci:${join(root, 'store')}:${ref}`]);
  return JSON.parse(stdout) as Manifest;
}

/** A file of the image's last layer (stored uncompressed), read with GNU tar. */
async function lastLayerFile(root: string, manifest: Manifest, path: string): Promise<string> {
  const digest = manifest.layers.at(-1)!.digest;
  const blob = join(root, 'store', 'blobs', 'sha256', digest.slice('sha256:'.length));
  const { stdout } = await run('tar', ['-xOf', blob, path]);
  return stdout;
}

test('kiln build --add-host / --shm-size / --ulimit / --annotation as the unprivileged user', {
  skip: skipReason(),
  timeout: 300_000,
}, async () => {
  const home = await makeHome('kiln-docker-flags-');
  try {
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    await mkdir(join(home, 'ctx'));
    await writeFile(join(home, 'ctx', 'Dockerfile'), DOCKERFILE);
    await handOver(home);
    const kiln = kilnAs(home, root);
    const build = (host: string) =>
      kiln([
        'build',
        '--progress=plain',
        '--add-host',
        host,
        '--add-host',
        'v6.internal=[fd00::1]',
        '--shm-size',
        '32m',
        '--ulimit',
        'nofile=1000:2000',
        '--annotation',
        'org.example.note=hello',
        '--load',
        '-t',
        'flags:1',
        'ctx',
      ]);

    const first = await build('db.internal:10.1.2.3');
    assert.equal(first.code, 0, first.stderr);
    const manifest = await storedManifest(root, 'docker.io/library/flags:1');
    assert.deepEqual(manifest.annotations, { 'org.example.note': 'hello' });
    assert.equal(
      await lastLayerFile(root, manifest, 'hosts.txt'),
      '127.0.0.1\tlocalhost kiln\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
        '10.1.2.3\tdb.internal\nfd00::1\tv6.internal\n',
    );
    assert.equal((await lastLayerFile(root, manifest, 'shm.txt')).trim(), String(32 * 1024));
    assert.equal(await lastLayerFile(root, manifest, 'nofile.txt'), '1000 2000\n');

    const again = await build('db.internal:10.1.2.3');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(plainSteps(again.stderr).ran, []);

    const moved = await build('db.internal:10.9.9.9');
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(plainSteps(moved.stderr).ran.length, 1, moved.stderr);
    const after = await storedManifest(root, 'docker.io/library/flags:1');
    assert.match(await lastLayerFile(root, after, 'hosts.txt'), /^10\.9\.9\.9\tdb\.internal$/m);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
