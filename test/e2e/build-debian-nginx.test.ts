/**
 * End-to-end on a real distribution, as the unprivileged test user: a Debian bookworm minbase base
 * image (scripts/make-debian-rootfs.sh's cached tar as one layer), `RUN apt-get update && apt-get
 * install -y nginx-light`, pushed to a registry on 127.0.0.1, pulled and run by rootless podman
 * (`nginx -v`). Skipped only when the Debian base cannot be made or the mirror is unreachable.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { OciMediaType } from '../../src/oci/media-types.js';
import { setImageTag } from '../../src/store/image-tags.js';
import { type LocalStore, openStore } from '../../src/store/local-store.js';
import { startPlainRegistry } from '../harness/registry.js';
import { handOver, kilnAs, makeHome, podmanPullRun, skopeoConfig } from '../helpers/build-e2e.js';
import { canRunAsTestUser } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);
const MIRROR = 'http://deb.debian.org/debian';

/** The cached Debian rootfs tar, or why the test cannot run. */
async function debianBase(): Promise<{ readonly skip: string } | { readonly tar: string }> {
  if (!canRunAsTestUser()) return { skip: 'needs root and the kilntest user (scripts/setup-host.sh)' };
  let tar: string;
  try {
    const { stdout } = await run('bash', [join(repoRoot(), 'scripts', 'make-debian-rootfs.sh')], {
      timeout: 900_000,
    });
    tar = stdout.trim().split('\n').pop() ?? '';
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return {
      skip: `no Debian base (debootstrap failed; mirror unreachable?): ${stderr.trim().split('\n').pop()}`,
    };
  }
  // apt-get update needs the mirror too (the base may be cached from an earlier, online run).
  const reachable = await fetch(`${MIRROR}/dists/bookworm/Release`, {
    method: 'HEAD',
    signal: AbortSignal.timeout(15_000),
  }).then(
    (r) => r.ok,
    () => false,
  );
  return reachable ? { tar } : { skip: `the Debian mirror ${MIRROR} is unreachable` };
}

/** Stores an uncompressed rootfs tar as a one-layer image tagged `ref`. */
async function writeTarImage(store: LocalStore, ref: string, tar: string): Promise<void> {
  const layer = await store.writeBlob(createReadStream(tar));
  const config = await store.writeBlob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          Cmd: ['bash'],
        },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        history: [{ created_by: 'debootstrap --variant=minbase bookworm (kiln test fixture)' }],
      }),
    ),
  );
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OciMediaType.ImageManifest,
      config: { mediaType: OciMediaType.ImageConfig, ...config },
      layers: [{ mediaType: OciMediaType.ImageLayer, ...layer }],
    }),
  );
  const manifest = await store.writeBlob(manifestBytes);
  await setImageTag(store, ref, { mediaType: OciMediaType.ImageManifest, ...manifest });
}

const base = await debianBase();

test('Debian base: RUN apt-get install -y nginx-light as the unprivileged user; podman runs nginx -v', {
  skip: 'skip' in base ? base.skip : false,
  timeout: 900_000,
}, async (t) => {
  const registry = await startPlainRegistry();
  const home = await makeHome('kiln-e2e-debian-');
  try {
    const root = join(home, 'kiln');
    await writeTarImage(await openStore({ root, env: {} }), 'debian:bookworm', 'tar' in base ? base.tar : '');
    const ctx = join(home, 'ctx');
    await mkdir(ctx);
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        'FROM debian:bookworm',
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/*',
        'CMD ["nginx", "-v"]',
        '',
      ].join('\n'),
    );
    await handOver(home);
    const target = `${registry.host}/e2e/nginx:1`;
    const started = Date.now();
    const built = await kilnAs(home, root)(['build', '--progress', 'plain', '-t', target, '--push', ctx]);
    t.diagnostic(`build + push: ${Date.now() - started} ms`);
    assert.equal(built.code, 0, built.stderr.split('\n').slice(-40).join('\n'));
    assert.match(built.stderr, /Setting up nginx-light/);

    const config = await skopeoConfig(target);
    assert.deepEqual(config.config.Cmd, ['nginx', '-v']);
    assert.equal(config.rootfs.diff_ids.length, 2);

    // The image's own CMD (nginx -v, which prints on stderr) exits 0; then the version, via a shell.
    await podmanPullRun(home, target);
    const shown = await podmanPullRun(
      home,
      target,
      ['--entrypoint', '/bin/sh'],
      ['-c', 'nginx -v 2>&1; test -x /usr/sbin/nginx && echo ok'],
    );
    assert.match(shown, /^nginx version: nginx\/1\.\d+\.\d+/m);
    assert.match(shown, /^ok$/m);
  } finally {
    await registry.stop();
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
});
