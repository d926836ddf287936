/**
 * End-to-end: `kiln build` as the unprivileged test user on a busybox base in the user's own store —
 * a two-stage Dockerfile with RUN, COPY (context and --from), WORKDIR and config instructions; the
 * image config read back with `kiln inspect`, the layers with `tar -tvf`; an unchanged rebuild is
 * fully cached and produces the same image digest.
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
import { canRunAsTestUser, runKiln, TEST_USER, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKERFILE = `FROM busybox AS build
RUN mkdir -p /out && echo built > /out/result.txt && chown 1000:1000 /out/result.txt && chmod 640 /out/result.txt
WORKDIR /src
COPY app.txt ./

FROM busybox
LABEL org.example.kind=test
ENV GREETING="hello world"
WORKDIR /app
COPY --from=build /out/result.txt ./
COPY --chown=1000:1000 --chmod=600 app.txt /data/app.txt
EXPOSE 8080/tcp
USER 1000:1000
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/result.txt"]
`;

interface Inspected {
  readonly Id: string;
  readonly RepoTags: readonly string[];
  readonly Config: {
    readonly Env?: readonly string[];
    readonly Cmd?: readonly string[];
    readonly Entrypoint?: readonly string[];
    readonly User?: string;
    readonly WorkingDir?: string;
    readonly Labels?: Record<string, string>;
    readonly ExposedPorts?: Record<string, unknown>;
  };
  readonly Layers: readonly { readonly digest: string; readonly mediaType: string }[];
  readonly History: readonly { readonly created_by?: string; readonly empty_layer?: boolean }[];
}

async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', user]);
  const { stdout: gid } = await run('id', ['-g', user]);
  return { uid: Number(uid), gid: Number(gid) };
}

/** `tar -tvf` lines of a layer blob as `mode owner path` (GNU tar's verbose columns). */
async function layerListing(root: string, digest: string): Promise<string[]> {
  const blob = join(root, 'store', 'blobs', 'sha256', digest.slice('sha256:'.length));
  const { stdout } = await run('tar', ['--numeric-owner', '-tvf', blob]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return `${fields[0]} ${fields[1]} ${fields.at(-1)}`;
    });
}

test('kiln build: two stages as the unprivileged user, inspected, then rebuilt fully cached', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-build-e2e-'));
  try {
    const { uid, gid } = await ids(TEST_USER);
    await chmod(home, 0o755);
    const root = join(home, 'kiln');
    const store = await openStore({ root, env: {} });
    await writeBusyboxImage(store, 'busybox:latest');
    const context = join(home, 'ctx');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'app.txt'), 'application data\n');
    await writeFile(join(context, '.dockerignore'), 'ignored.txt\n');
    await writeFile(join(context, 'ignored.txt'), 'never copied\n');
    await run('chown', ['-R', `${uid}:${gid}`, home]);

    const kiln = (args: readonly string[]) =>
      runKiln(['--root', root, ...args], { user: TEST_USER, env: { HOME: home }, cwd: home });

    const first = await kiln([
      'build',
      '--progress',
      'plain',
      '-t',
      'example/app:1',
      '--iidfile',
      join(home, 'iid'),
      context,
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /\[build 2\/4\] RUN mkdir -p \/out/);
    assert.doesNotMatch(first.stderr, /CACHED/);

    const inspect = await kiln(['inspect', 'example/app:1']);
    assert.equal(inspect.code, 0, inspect.stderr);
    const [image] = JSON.parse(inspect.stdout) as Inspected[];
    assert.ok(image !== undefined);
    assert.deepEqual(image.RepoTags, ['docker.io/example/app:1']);
    assert.equal(image.Config.User, '1000:1000');
    assert.equal(image.Config.WorkingDir, '/app');
    assert.deepEqual(image.Config.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(image.Config.Cmd, ['cat /app/result.txt']);
    assert.deepEqual(image.Config.Labels, { 'org.example.kind': 'test' });
    assert.deepEqual(Object.keys(image.Config.ExposedPorts ?? {}), ['8080/tcp']);
    assert.ok(image.Config.Env?.includes('GREETING=hello world'));
    assert.equal((await readFile(join(home, 'iid'), 'utf8')).trim().startsWith('sha256:'), true);

    // busybox + WORKDIR /app + COPY --from + COPY --chown: three layers of this build.
    assert.equal(image.Layers.length, 4);
    assert.deepEqual(
      image.History.filter((h) => h.empty_layer !== true).map((h) => h.created_by),
      [
        'busybox-static from Debian (kiln test fixture)',
        'WORKDIR /app',
        'COPY /out/result.txt ./ # buildkit',
        'COPY --chown=1000:1000 --chmod=600 app.txt /data/app.txt # buildkit',
      ],
    );
    for (const layer of image.Layers.slice(1)) {
      assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    }
    assert.deepEqual(await layerListing(root, image.Layers[1]!.digest), ['drwxr-xr-x 0/0 app/']);
    // The RUN's chown and chmod survive COPY --from (owners are kept without --chown).
    assert.deepEqual(await layerListing(root, image.Layers[2]!.digest), [
      'drwxr-xr-x 0/0 app/',
      '-rw-r----- 1000/1000 app/result.txt',
    ]);
    // A missing destination parent is made 0755 and owned by the --chown user (BuildKit's MkdirAll).
    assert.deepEqual(await layerListing(root, image.Layers[3]!.digest), [
      'drwxr-xr-x 1000/1000 data/',
      '-rw------- 1000/1000 data/app.txt',
    ]);

    const second = await kiln(['build', '--progress', 'plain', '-t', 'example/app:1', context]);
    assert.equal(second.code, 0, second.stderr);
    for (const step of [
      '[build 2/4] RUN',
      '[build 3/4] WORKDIR /src',
      '[build 4/4] COPY app.txt ./',
      '[stage-1 2/4] WORKDIR /app',
      '[stage-1 3/4] COPY --from=build',
      '[stage-1 4/4] COPY --chown=1000:1000',
    ]) {
      const escaped = step.replace(/[[\]/.*+?^$()|]/g, '\\$&');
      assert.match(
        second.stderr,
        new RegExp(`#(\\d+) ${escaped}.*\\n#\\1 CACHED`),
        `${step} not cached:\n${second.stderr}`,
      );
    }
    const again = JSON.parse((await kiln(['inspect', 'example/app:1'])).stdout) as Inspected[];
    assert.equal(again[0]?.Id, image.Id);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('kiln build --secret as the unprivileged user: the secret reaches RUN, is masked, and stays out of the image', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-build-secret-'));
  try {
    const { uid, gid } = await ids(TEST_USER);
    await chmod(home, 0o755);
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const context = join(home, 'ctx');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM busybox\nRUN --mount=type=secret,id=tok cat /run/secrets/tok; echo; wc -c < /run/secrets/tok > /size\n',
    );
    await writeFile(join(home, 'token.txt'), 'e2e-secret-token-0815');
    await run('chown', ['-R', `${uid}:${gid}`, home]);
    const result = await runKiln(
      [
        '--root',
        root,
        'build',
        '--progress',
        'plain',
        '--secret',
        `id=tok,src=${join(home, 'token.txt')}`,
        '-t',
        'secret:1',
        context,
      ],
      { user: TEST_USER, env: { HOME: home }, cwd: home },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /e2e-secret-token-0815/);
    const [image] = JSON.parse(
      (await runKiln(['--root', root, 'inspect', 'secret:1'], { user: TEST_USER, env: { HOME: home } }))
        .stdout,
    ) as Inspected[];
    const layer = image!.Layers.at(-1)!.digest;
    assert.deepEqual(await layerListing(root, layer), ['-rw-r--r-- 0/0 size']);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('kiln build as a user without subordinate ids: owners from --chown survive COPY --from (xattr records)', {
  skip: canRunAsTestUser(TEST_USER_NO_SUBIDS) ? false : 'needs root and the kilntest-noid user',
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-build-noid-'));
  try {
    const { uid, gid } = await ids(TEST_USER_NO_SUBIDS);
    await chmod(home, 0o755);
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const context = join(home, 'ctx');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM busybox AS a\nCOPY --chown=1000:1000 f.txt /x\nRUN echo made > /made\nFROM busybox\nCOPY --from=a /x /made /out/\n',
    );
    await writeFile(join(context, 'f.txt'), 'f\n');
    await run('chown', ['-R', `${uid}:${gid}`, home]);
    const kiln = (args: readonly string[]) =>
      runKiln(['--root', root, ...args], { user: TEST_USER_NO_SUBIDS, env: { HOME: home }, cwd: home });
    const result = await kiln(['build', '-q', '-t', 'noid:1', context]);
    assert.equal(result.code, 0, result.stderr);
    const [image] = JSON.parse((await kiln(['inspect', 'noid:1'])).stdout) as Inspected[];
    assert.deepEqual(await layerListing(root, image!.Layers.at(-1)!.digest), [
      'drwxr-xr-x 0/0 out/',
      '-rw-r--r-- 0/0 out/made',
      '-rw-r--r-- 1000/1000 out/x',
    ]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
