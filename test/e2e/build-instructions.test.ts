/**
 * End-to-end, as the unprivileged test user against a registry on 127.0.0.1: a Dockerfile using every
 * instruction (FROM scratch / stage / archive / --platform, RUN shell + exec + heredoc, COPY/ADD with
 * every flag, ADD of a local tar.gz and of an http://127.0.0.1 URL with --checksum, all config
 * instructions, ONBUILD), pushed, its config read back with skopeo and podman, run with rootless podman;
 * then a child image whose ONBUILD triggers fire; then three independent stages that must overlap in
 * time (rawjson progress: every stage's RUN starts before any of them ends).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import {
  handOver,
  type KilnAsUser,
  kilnAs,
  makeHome,
  podmanAs,
  podmanPullRun,
  pushBusyboxBase,
  rawEvents,
  skopeoConfig,
  writeTree,
} from '../helpers/build-e2e.js';
import { canRunAsTestUser } from '../helpers/cli.js';

const run = promisify(execFile);

const REMOTE_TEXT = 'downloaded over http\n';

function dockerfile(archive: string, url: string): string {
  const checksum = `sha256:${createHash('sha256').update(REMOTE_TEXT).digest('hex')}`;
  return `# syntax=docker/dockerfile:1
ARG BASE
FROM \${BASE} AS base
CMD ["echo", "inherited"]

FROM --platform=linux/amd64 oci-archive:${archive} AS archived
RUN ["/bin/sh", "-c", "echo from-archive > /exec.txt"]

FROM scratch AS scratchy
COPY <<EOF /scratch.txt
from scratch
EOF

FROM base
MAINTAINER kiln e2e <e2e@example.com>
ARG VERSION=0
ENV APP_HOME=/app GREETING="hello e2e"
LABEL org.example.version=$VERSION org.example.name="every instruction"
SHELL ["/bin/busybox", "env", "KILN_SHELL=custom", "/bin/sh", "-c"]
RUN echo "shell=$KILN_SHELL version=$VERSION" > /shell.txt
SHELL ["/bin/sh", "-c"]
RUN <<EOF
echo heredoc-1 > /heredoc.txt
echo heredoc-2 >> /heredoc.txt
EOF
RUN <<EOF
#!/bin/sh
echo shebang-heredoc > /shebang.txt
EOF
RUN ["/bin/sh", "-c", "echo exec-form > /exec-form.txt"]
USER app
WORKDIR $APP_HOME
COPY --from=archived /exec.txt from-archive.txt
COPY --from=scratchy /scratch.txt ./
COPY --chown=app:app --chmod=0640 app.txt owned-by-name.txt
COPY --chown=1234:2000 --chmod=u=rwx,g=rx,o= app.txt owned-by-id.txt
COPY --link linked.txt /linked/
COPY --parents src/a/*.txt /parents/
COPY --exclude=*.log logs/ /logs/
COPY *.md /wild/
COPY dir /dircontents
COPY app.txt /file-dest.txt
COPY app.txt linked.txt /multi/
ADD archive.tar.gz /extracted/
ADD --checksum=${checksum} ${url} /remote/
ADD --chmod=644 --checksum=${checksum} ${url} /remote/readable.txt
COPY entry.sh /entry.sh
EXPOSE 8080/tcp 9090/udp
VOLUME /data
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD test -f /app/owned-by-name.txt
ENTRYPOINT ["/bin/sh", "/entry.sh"]
ONBUILD RUN id -un > /app/onbuild-user.txt
ONBUILD COPY child.txt ./child.txt
`;
}

const ENTRY = `#!/bin/sh
echo "user=$(id -un) pwd=$(pwd) greeting=$GREETING home=$APP_HOME"
cat /shell.txt /heredoc.txt /shebang.txt /exec-form.txt /app/from-archive.txt /app/scratch.txt
cat /remote/readable.txt /extracted/tarred/hello.txt
stat -c '%n %a %u:%g' /app /app/owned-by-name.txt /app/owned-by-id.txt /remote/remote.txt /remote/readable.txt /file-dest.txt /linked/linked.txt
find /parents /logs /wild /dircontents /multi /extracted -type f | sort
cat /app/onbuild-user.txt /app/child.txt 2>/dev/null
echo "args=$*"
`;

const EXPECTED_OUTPUT = [
  'user=app pwd=/app greeting=hello e2e home=/app',
  'shell=custom version=2',
  'heredoc-1',
  'heredoc-2',
  'shebang-heredoc',
  'exec-form',
  'from-archive',
  'from scratch',
  REMOTE_TEXT.trim(),
  'inside a tar.gz',
  '/app 755 1000:1000',
  '/app/owned-by-name.txt 640 1000:1000',
  '/app/owned-by-id.txt 750 1234:2000',
  // ADD of a URL: mode 0600, owned by root (BuildKit's http source).
  '/remote/remote.txt 600 0:0',
  '/remote/readable.txt 644 0:0',
  '/file-dest.txt 644 0:0',
  '/linked/linked.txt 644 0:0',
  '/dircontents/sub/inner.txt',
  '/dircontents/top.txt',
  '/extracted/tarred/hello.txt',
  '/extracted/tarred/nested/deep.txt',
  '/logs/keep.txt',
  '/multi/app.txt',
  '/multi/linked.txt',
  '/parents/src/a/one.txt',
  '/parents/src/a/two.txt',
  '/wild/notes.md',
  '/wild/readme.md',
];

interface Shared {
  home: string;
  registry: TestRegistry;
  base: string;
  kiln: KilnAsUser;
  server: Server;
  url: string;
}

const skip = canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)';

describe('kiln build end to end: every instruction, ONBUILD, parallel stages (unprivileged, registry, podman)', {
  skip,
  timeout: 900_000,
}, () => {
  const s = {} as Shared;

  before(async () => {
    s.home = await makeHome('kiln-e2e-instr-');
    s.registry = await startPlainRegistry();
    s.server = createServer((req, res) => {
      if (req.url === '/files/remote.txt') {
        res.writeHead(200, {
          'content-type': 'text/plain',
          'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
        });
        res.end(REMOTE_TEXT);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const address = s.server.address();
    assert.ok(address !== null && typeof address === 'object');
    s.url = `http://127.0.0.1:${address.port}/files/remote.txt`;
    s.base = await pushBusyboxBase(s.home, s.registry, 'base/busybox:1');
    await handOver(s.home);
    s.kiln = kilnAs(s.home, join(s.home, 'kiln'));
  });

  after(async () => {
    await s.registry?.stop();
    await new Promise((resolve) => s.server?.close(resolve));
    if (s.home !== undefined && process.env.KILN_E2E_KEEP === undefined)
      await rm(s.home, { recursive: true, force: true }).catch(() => undefined);
  });

  it('builds a Dockerfile with every instruction; skopeo, podman inspect and podman run agree', async (t) => {
    const ctx = join(s.home, 'ctx');
    const archive = join(s.home, 'base-oci.tar');
    const saved = await kilnAs(
      s.home,
      join(s.home, 'seed'),
    )(['save', '--format', 'oci-archive', '-o', archive, 'busybox:latest']);
    assert.equal(saved.code, 0, saved.stderr);
    await writeTree(ctx, {
      Dockerfile: dockerfile(archive, s.url),
      'app.txt': 'application data\n',
      'linked.txt': 'linked\n',
      'src/a/one.txt': '1\n',
      'src/a/two.txt': '2\n',
      'src/a/skip.md': 'not a txt\n',
      'src/b/other.txt': 'other\n',
      'logs/keep.txt': 'keep\n',
      'logs/drop.log': 'drop\n',
      'readme.md': 'readme\n',
      'notes.md': 'notes\n',
      'dir/top.txt': 'top\n',
      'dir/sub/inner.txt': 'inner\n',
      'entry.sh': ENTRY,
      'tarred/hello.txt': 'inside a tar.gz\n',
      'tarred/nested/deep.txt': 'deep\n',
    });
    await run('tar', ['-C', ctx, '-czf', join(ctx, 'archive.tar.gz'), 'tarred']);
    await rm(join(ctx, 'tarred'), { recursive: true });
    await handOver(s.home);

    const target = `${s.registry.host}/e2e/every:1`;
    const started = Date.now();
    const built = await s.kiln([
      'build',
      '--progress',
      'plain',
      '--build-arg',
      `BASE=${s.base}`,
      '--build-arg',
      'VERSION=2',
      '-t',
      target,
      '--push',
      ctx,
    ]);
    t.diagnostic(`build + push: ${Date.now() - started} ms`);
    assert.equal(built.code, 0, built.stderr);

    const image = await skopeoConfig(target);
    const c = image.config;
    assert.equal(image.author, 'kiln e2e <e2e@example.com>');
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '/entry.sh']);
    assert.equal(c.Cmd, undefined, 'ENTRYPOINT resets the CMD inherited from the base stage');
    assert.deepEqual(c.Env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'APP_HOME=/app',
      'GREETING=hello e2e',
    ]);
    assert.equal(c.User, 'app');
    assert.equal(c.WorkingDir, '/app');
    assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '9090/udp': {} });
    assert.deepEqual(c.Labels, { 'org.example.name': 'every instruction', 'org.example.version': '2' });
    assert.deepEqual(c.Healthcheck, {
      Test: ['CMD-SHELL', 'test -f /app/owned-by-name.txt'],
      Interval: 30_000_000_000,
      Timeout: 5_000_000_000,
      Retries: 2,
    });
    assert.equal(c.StopSignal, 'SIGQUIT');
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.deepEqual(c.OnBuild, ['RUN id -un > /app/onbuild-user.txt', 'COPY child.txt ./child.txt']);
    assert.deepEqual(c.Shell, ['/bin/sh', '-c']);

    const output = await podmanPullRun(s.home, target);
    assert.deepEqual(output.trimEnd().split('\n'), [...EXPECTED_OUTPUT, 'args=']);

    const [inspected] = JSON.parse(await podmanAs(s.home, ['image', 'inspect', target])) as {
      Config: Record<string, unknown>;
      Author?: string;
    }[];
    assert.ok(inspected !== undefined);
    const p = inspected.Config;
    assert.deepEqual(p.Entrypoint, c.Entrypoint);
    assert.equal(p.Cmd, undefined);
    assert.deepEqual(p.Env, c.Env);
    assert.equal(p.User, 'app');
    assert.equal(p.WorkingDir, '/app');
    assert.deepEqual(p.ExposedPorts, c.ExposedPorts);
    assert.deepEqual(p.Labels, c.Labels);
    assert.equal(p.StopSignal, 'SIGQUIT');
    assert.deepEqual(p.Volumes, c.Volumes);
  });

  it('ONBUILD triggers of the pushed image fire in a child build (RUN as the inherited user, COPY)', async () => {
    const ctx = join(s.home, 'child');
    const parent = `${s.registry.host}/e2e/every:1`;
    await writeTree(ctx, {
      Dockerfile: `FROM ${parent}\nCMD ["child-arg"]\n`,
      'child.txt': 'copied by a trigger\n',
    });
    await handOver(ctx);
    const target = `${s.registry.host}/e2e/child:1`;
    const oci = join(s.home, 'child-oci.tar');
    const docker = join(s.home, 'child-docker.tar');
    const built = await s.kiln([
      'build',
      '--progress',
      'plain',
      '-t',
      target,
      '--push',
      '-o',
      `type=oci,dest=${oci}`,
      '-o',
      `type=docker,dest=${docker}`,
      ctx,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const image = await skopeoConfig(target);
    assert.deepEqual(image.config.Cmd, ['child-arg']);
    // The same image in the OCI and docker archives (skopeo reads both; the config digest is the ID).
    const { stdout: pushedId } = await run('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${target}`,
    ]);
    const configDigest = (JSON.parse(pushedId) as { config: { digest: string } }).config.digest;
    for (const archive of [`oci-archive:${oci}`, `docker-archive:${docker}`]) {
      const { stdout } = await run('skopeo', ['inspect', '--raw', archive]);
      assert.equal(
        (JSON.parse(stdout) as { config: { digest: string } }).config.digest,
        configDigest,
        archive,
      );
    }
    assert.deepEqual(image.config.Entrypoint, ['/bin/sh', '/entry.sh']);
    assert.equal(image.config.OnBuild, undefined, 'triggers are consumed, not inherited');
    const output = await podmanPullRun(s.home, target);
    assert.deepEqual(output.trimEnd().split('\n').slice(-3), [
      'app',
      'copied by a trigger',
      'args=child-arg',
    ]);
  });

  it('three independent stages joined by COPY --from run at the same time (rawjson ordering)', async () => {
    const ctx = join(s.home, 'parallel');
    const stages = ['one', 'two', 'three'];
    const meet = `meet-${Date.now()}`;
    await writeTree(ctx, {
      Dockerfile: [
        ...stages.flatMap((n) => [
          `FROM ${s.base} AS ${n}`,
          // Each RUN waits (up to 60 s) until all three have started, meeting in a shared cache
          // mount: a serial solver cannot make every start precede the first end, a parallel one must.
          `RUN --mount=type=cache,id=${meet},target=/meet,sharing=shared touch /meet/${n}; i=0; ` +
            `while [ "$(ls /meet | wc -l)" -lt 3 ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done; echo ${n} > /${n}.txt`,
        ]),
        `FROM ${s.base}`,
        ...stages.map((n) => `COPY --from=${n} /${n}.txt /`),
        'CMD ["cat", "/one.txt", "/two.txt", "/three.txt"]',
        '',
      ].join('\n'),
    });
    await handOver(ctx);
    const target = `${s.registry.host}/e2e/parallel:1`;
    const built = await s.kiln(['build', '--progress', 'rawjson', '-t', target, '--push', ctx]);
    assert.equal(built.code, 0, built.stderr);
    const events = rawEvents(built.stderr);
    const runs = new Map(
      events
        .filter((e) => e.kind === 'vertex-start' && /\] RUN /.test(e.name ?? ''))
        .map((e) => [e.id!, e.name!]),
    );
    assert.equal(runs.size, 3, [...runs.values()].join('\n'));
    const starts = events.filter((e) => e.kind === 'vertex-start' && runs.has(e.id!));
    const ends = events.filter((e) => e.kind === 'vertex-done' && runs.has(e.id!));
    assert.equal(ends.length, 3);
    const lastStart = events.indexOf(starts.at(-1)!);
    const firstEnd = events.indexOf(ends[0]!);
    assert.ok(lastStart < firstEnd, 'every stage started before any finished');
    assert.equal(await podmanPullRun(s.home, target), 'one\ntwo\nthree\n');
  });
});
