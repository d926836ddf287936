/**
 * Regression, end to end as the unprivileged user: symlinks in `RUN --mount` sources resolve inside
 * their root (the context, a stage) as a chroot would, never on the host. A host directory holds a
 * sentinel; the context and a stage hold symlinks whose absolute targets name that host directory and
 * an in-root copy with other content. Every mount (bind ro, bind rw, cache seeded from a stage) must
 * see the in-root content; before the fix they bound or copied the host directory.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const run = promisify(execFile);

test('RUN --mount sources: symlinks resolve inside the context or stage, never on the host', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-mount-links-'));
  const host = await mkdtemp(join(tmpdir(), 'kiln-host-sentinel-'));
  try {
    await chmod(home, 0o755);
    await chmod(host, 0o755);
    await writeFile(join(host, 'note.txt'), 'HOST FILE\n', { mode: 0o644 });
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const ctx = join(home, 'ctx');
    // In the context: `link` → the host directory's absolute path, which inside the context is a copy.
    await mkdir(join(ctx, host), { recursive: true });
    await writeFile(join(ctx, host, 'note.txt'), 'context copy\n');
    await symlink(host, join(ctx, 'link'));
    await writeFile(
      join(ctx, 'Dockerfile'),
      `FROM busybox AS stage
RUN mkdir -p ${host} && echo 'stage copy' > ${host}/note.txt && ln -s ${host} /link

FROM busybox
RUN mkdir /out
RUN --mount=type=bind,source=link,target=/x cat /x/note.txt > /out/context-ro
RUN --mount=type=bind,source=link,target=/x,rw cat /x/note.txt > /out/context-rw
RUN --mount=type=bind,from=stage,source=/link,target=/x cat /x/note.txt > /out/stage-ro
RUN --mount=type=cache,target=/c,from=stage,source=/link cat /c/note.txt > /out/cache-seed
`,
    );
    await run('chown', ['-R', `${TEST_USER}:`, home]);
    const out = join(home, 'result');
    const result = await runKiln(
      ['--root', root, 'build', '--progress', 'plain', '-o', `type=local,dest=${out}`, ctx],
      { user: TEST_USER, env: { HOME: home }, cwd: home },
    );
    assert.equal(result.code, 0, result.stderr);
    const seen = async (name: string) => (await run('cat', [join(out, 'out', name)])).stdout;
    assert.equal(await seen('context-ro'), 'context copy\n');
    assert.equal(await seen('context-rw'), 'context copy\n');
    assert.equal(await seen('stage-ro'), 'stage copy\n');
    assert.equal(await seen('cache-seed'), 'stage copy\n');
  } finally {
    await rm(home, { recursive: true, force: true });
    await rm(host, { recursive: true, force: true });
  }
});
