/**
 * End-to-end, as the unprivileged test user through the real CLI: every `RUN --mount` type with the
 * options BuildKit's Dockerfile reference lists, in one build whose steps write what they saw into
 * the image, checked with GNU tar on the layers — and the mounts themselves leave no trace:
 * - bind: from the context, a stage and an image; `source`; read-only by default; `rw` writes are
 *   discarded (the context on disk is unchanged);
 * - tmpfs: `size` is enforced;
 * - cache: `id`, `target`, `mode`, `uid`, `gid`, `ro`, `from` + `source` (seeded), `sharing`;
 * - secret: `id`, `target`, `env`, `mode`, `uid`, `gid`; `required` fails the step when missing, an
 *   optional one is skipped;
 * - ssh: covered by build-secrets.test.ts (agents need an sshd and ssh tools);
 * - variables in mount options expand from ARG values.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKERFILE = `FROM busybox AS seed
RUN mkdir -p /seed/sub && echo seeded > /seed/sub/s.txt

FROM busybox
ARG CACHE_ID=tools
ARG CACHE_DIR=/cache
ARG TMP_SIZE=64k
ARG SECRET_ID=api
RUN mkdir /out
RUN --mount=type=bind,source=dir,target=/ctx cat /ctx/in.txt > /out/bind-context \\
 && (touch /ctx/new 2>/dev/null && echo writable || echo read-only) >> /out/bind-context
RUN --mount=type=bind,from=seed,source=/seed/sub,target=/st cat /st/s.txt > /out/bind-stage
RUN --mount=type=bind,from=busybox,target=/img test -x /img/bin/busybox && echo image > /out/bind-image
RUN --mount=type=bind,source=dir,target=/ctx,rw echo changed > /ctx/in.txt && cat /ctx/in.txt > /out/bind-rw
RUN --mount=type=tmpfs,target=/t,size=$TMP_SIZE \\
    (dd if=/dev/zero of=/t/big bs=1k count=256 2>/dev/null && echo fits || echo full) > /out/tmpfs
RUN --mount=type=cache,id=$CACHE_ID,target=$CACHE_DIR,mode=0750,uid=1000,gid=1000,sharing=locked \\
    stat -c "%a %u:%g" $CACHE_DIR > /out/cache && echo kept > $CACHE_DIR/file
RUN --mount=type=cache,id=$CACHE_ID,target=/again,ro \\
    cat /again/file >> /out/cache && (touch /again/x 2>/dev/null && echo writable || echo read-only) >> /out/cache
RUN --mount=type=cache,target=/seeded,from=seed,source=/seed,sharing=private cat /seeded/sub/s.txt > /out/cache-seeded
RUN --mount=type=secret,id=$SECRET_ID,target=/etc/api.key,mode=0440,uid=1000,gid=1000 \\
    stat -c "%a %u:%g" /etc/api.key > /out/secret && wc -c < /etc/api.key >> /out/secret
RUN --mount=type=secret,id=api,env=API_KEY test -n "$API_KEY" && test ! -e /run/secrets/api && echo env > /out/secret-env
RUN --mount=type=secret,id=absent echo skipped > /out/secret-optional
`;

test('RUN --mount: every type and option, end to end as the unprivileged user', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-mounts-'));
  try {
    await chmod(home, 0o755);
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const ctx = join(home, 'ctx');
    await mkdir(join(ctx, 'dir'), { recursive: true });
    await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(ctx, 'dir', 'in.txt'), 'from the context\n');
    await writeFile(join(home, 'api.key'), 'api-key-value-123');
    await run('chown', ['-R', `${TEST_USER}:`, home]); // user and group: both mapped in kiln's namespace
    const kiln = (args: readonly string[]) =>
      runKiln(['--root', root, ...args], { user: TEST_USER, env: { HOME: home }, cwd: home });
    const secret = ['--secret', `id=api,src=${join(home, 'api.key')}`];
    const result = await kiln(['build', '--progress', 'plain', ...secret, '-t', 'mounts:1', ctx]);
    assert.equal(result.code, 0, result.stderr);

    const inspected = await kiln(['inspect', 'mounts:1']);
    const [image] = JSON.parse(inspected.stdout) as { Layers: { digest: string }[] }[];
    const out = await mkdtemp(join(tmpdir(), 'kiln-e2e-mounts-out-'));
    try {
      const listing: string[] = [];
      for (const layer of image!.Layers.slice(1)) {
        const blob = join(root, 'store', 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
        await run('tar', ['-xf', blob, '-C', out, '--no-same-owner']);
        listing.push(...(await run('tar', ['-tf', blob])).stdout.trim().split('\n'));
      }
      const read = (name: string) => readFile(join(out, 'out', name), 'utf8');
      assert.equal(await read('bind-context'), 'from the context\nread-only\n');
      assert.equal(await read('bind-stage'), 'seeded\n');
      assert.equal(await read('bind-image'), 'image\n');
      assert.equal(await read('bind-rw'), 'changed\n');
      assert.equal(await read('tmpfs'), 'full\n');
      assert.equal(await read('cache'), '750 1000:1000\nkept\nread-only\n');
      assert.equal(await read('cache-seeded'), 'seeded\n');
      assert.equal(await read('secret'), '440 1000:1000\n17\n');
      assert.equal(await read('secret-env'), 'env\n');
      assert.equal(await read('secret-optional'), 'skipped\n');
      // rw bind writes were discarded: the context on disk is as it was.
      assert.equal(await readFile(join(ctx, 'dir', 'in.txt'), 'utf8'), 'from the context\n');
      // No mount target reached a layer (only /out and its files did).
      const stray = listing
        .map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''))
        .filter((p) => p !== '' && p !== '.' && p !== 'out' && !p.startsWith('out/'));
      assert.deepEqual(stray, []);
    } finally {
      await rm(out, { recursive: true, force: true });
    }

    // required=true without the secret fails at that RUN line.
    await writeFile(
      join(ctx, 'Dockerfile'),
      'FROM busybox\nRUN --mount=type=secret,id=missing,required cat /run/secrets/missing\n',
    );
    const missing = await kiln(['build', '--progress', 'plain', ctx]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /secret missing is required but was not provided \[E_SECRET\]/);
    assert.match(missing.stderr, /--> .*Dockerfile:2:1/);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
