/**
 * The library's build() end to end, in process (needs real root for RUN: mounts and id changes):
 * COPY destination rules, ADD of a local archive, COPY --link, WORKDIR ownership, cache hits and
 * --no-cache-filter, located RUN failures, and the local / tar / oci outputs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { build } from '../../src/build/index.js';
import type { BuildOptions } from '../../src/build/types.js';
import type { ProgressEvent } from '../../src/progress/index.js';
import { type LocalStore, openStore } from '../../src/store/index.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (RUN steps mount and change owners)';

let home: string;
let root: string;
let store: LocalStore;

before(async () => {
  if (!isRoot) return;
  home = await mkdtemp(join(tmpdir(), 'kiln-build-lib-'));
  root = join(home, 'root');
  store = await openStore({ root, env: {} });
  await writeBusyboxImage(store, 'busybox:latest');
});

after(async () => {
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

async function context(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(home, 'ctx-'));
  for (const [name, data] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), data);
  }
  return dir;
}

async function kilnBuild(dir: string, extra: Partial<BuildOptions> = {}) {
  const events: ProgressEvent[] = [];
  const result = await build(
    { context: { kind: 'dir', path: dir }, storeRoot: root, env: { PATH: process.env.PATH }, ...extra },
    { onEvent: (e) => events.push(e) },
  );
  return { result, events };
}

async function layerListing(digest: string): Promise<string[]> {
  const { stdout } = await run('tar', ['--numeric-owner', '-tvf', store.blobPath(digest as never)]);
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const f = line.trim().split(/\s+/);
      return `${f[0]} ${f[1]} ${f.slice(5).join(' ')}`;
    });
}

const lastLayer = (r: { result: { manifest: { layers: readonly { digest: string }[] } } }) =>
  r.result.manifest.layers.at(-1)!.digest;

test('COPY destination rules: file to file, file into dir/, into an existing base directory, dir contents, wildcards', {
  skip,
}, async () => {
  const dir = await context({
    'one.txt': '1',
    'two.txt': '22',
    'tree/a/b.txt': 'b',
    Dockerfile: [
      'FROM busybox',
      'COPY one.txt /renamed.txt',
      'COPY one.txt /newdir/',
      'COPY one.txt /etc',
      'COPY tree /copied',
      'COPY *.txt /many/',
    ].join('\n'),
  });
  const { result } = await kilnBuild(dir);
  const layers = result.manifest.layers.slice(1).map((l) => l.digest);
  assert.deepEqual(await layerListing(layers[0]!), ['-rw-r--r-- 0/0 renamed.txt']);
  assert.deepEqual(await layerListing(layers[1]!), [
    'drwxr-xr-x 0/0 newdir/',
    '-rw-r--r-- 0/0 newdir/one.txt',
  ]);
  // /etc exists in busybox as a directory: the file goes into it, /etc keeps the base's metadata.
  const etc = await layerListing(layers[2]!);
  assert.deepEqual(
    etc.map((l) => l.split(' ').at(-1)),
    ['etc/', 'etc/one.txt'],
  );
  assert.deepEqual(await layerListing(layers[3]!), [
    'drwxr-xr-x 0/0 copied/',
    'drwxr-xr-x 0/0 copied/a/',
    '-rw-r--r-- 0/0 copied/a/b.txt',
  ]);
  assert.deepEqual(await layerListing(layers[4]!), [
    'drwxr-xr-x 0/0 many/',
    '-rw-r--r-- 0/0 many/one.txt',
    '-rw-r--r-- 0/0 many/two.txt',
  ]);
});

test('WORKDIR as a named user, COPY --link, ADD of a local tar archive, symlinks kept', {
  skip,
}, async () => {
  const archiveDir = await mkdtemp(join(home, 'archive-'));
  await writeFile(join(archiveDir, 'inside.txt'), 'from the archive');
  const dir = await context({
    Dockerfile: [
      'FROM busybox',
      "RUN echo 'svc:x:1234:1234::/home/svc:/bin/sh' >> /etc/passwd",
      'USER svc',
      'WORKDIR /srv/svc/work',
      'USER root',
      'COPY --link linked.txt /linked/',
      'ADD bundle.tar /unpacked/',
      'COPY link /',
    ].join('\n'),
    'linked.txt': 'l',
  });
  await run('tar', ['-C', archiveDir, '-cf', join(dir, 'bundle.tar'), 'inside.txt']);
  await symlink('linked.txt', join(dir, 'link'));
  const { result } = await kilnBuild(dir);
  const layers = result.manifest.layers.slice(1).map((l) => l.digest);
  const workdir = await layerListing(layers[1]!);
  // Missing parents are made as the user too (BuildKit's MkdirAll with the user's ids).
  assert.deepEqual(workdir, [
    'drwxr-xr-x 1234/1234 srv/',
    'drwxr-xr-x 1234/1234 srv/svc/',
    'drwxr-xr-x 1234/1234 srv/svc/work/',
  ]);
  assert.deepEqual(await layerListing(layers[2]!), [
    'drwxr-xr-x 0/0 linked/',
    '-rw-r--r-- 0/0 linked/linked.txt',
  ]);
  const unpacked = await layerListing(layers[3]!);
  assert.deepEqual(
    unpacked.map((l) => l.split(' ').at(-1)),
    ['unpacked/', 'unpacked/inside.txt'],
  );
  // A symlink source is followed (Dockerfile COPY copies what it points at, under its own name).
  assert.deepEqual(await layerListing(layers[4]!), ['-rw-r--r-- 0/0 link']);
});

test('a rebuild is cached and identical; --no-cache-filter reruns only that stage', { skip }, async () => {
  const dir = await context({
    Dockerfile: [
      'FROM busybox AS a',
      'RUN echo a > /a',
      'FROM busybox AS b',
      'RUN echo b > /b',
      'COPY --from=a /a /',
    ].join('\n'),
  });
  const first = await kilnBuild(dir, { tags: ['cache-test:1'] });
  assert.equal(first.result.cachedSteps, 0);
  const second = await kilnBuild(dir, { tags: ['cache-test:1'] });
  assert.equal(second.result.cachedSteps, second.result.steps);
  assert.equal(second.result.imageDigest, first.result.imageDigest);
  assert.ok(second.events.some((e) => e.kind === 'vertex-cached'));
  const filtered = await kilnBuild(dir, { noCacheFilter: ['b'] });
  const runs = filtered.events
    .filter((e) => e.kind === 'vertex-start' && e.cached !== true)
    .map((e) => (e as { name: string }).name);
  assert.ok(
    runs.some((n) => n.includes('RUN echo b')),
    runs.join('\n'),
  );
  assert.ok(!runs.some((n) => n.includes('RUN echo a')), runs.join('\n'));
});

test('a failing RUN is E_RUN_FAILED at its Dockerfile line, with its output in the events', {
  skip,
}, async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo about to fail && exit 3\n' });
  const events: ProgressEvent[] = [];
  await assert.rejects(
    build(
      { context: { kind: 'dir', path: dir }, storeRoot: root, env: { PATH: process.env.PATH } },
      { onEvent: (e) => events.push(e) },
    ),
    (error: { code?: string; location?: { range: { start: { line: number } } } }) => {
      assert.equal(error.code, 'E_RUN_FAILED');
      assert.equal(error.location?.range.start.line, 2);
      return true;
    },
  );
  assert.ok(events.some((e) => e.kind === 'vertex-log' && e.line === 'about to fail'));
  assert.ok(events.some((e) => e.kind === 'vertex-error' && e.exitCode === 3));
  assert.ok(events.some((e) => e.kind === 'build-error'));
});

test('RUN --mount=type=ssh: an agent socket and SSH_AUTH_SOCK for the step; a missing agent is E_SECRET', {
  skip,
}, async () => {
  const keyDir = await mkdtemp(join(home, 'ssh-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'id')]);
  const dir = await context({
    Dockerfile:
      'FROM busybox\nRUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "sock-ok $SSH_AUTH_SOCK"\n',
  });
  const { events } = await kilnBuild(dir, { ssh: [{ id: 'default', paths: [join(keyDir, 'id')] }] });
  assert.ok(events.some((e) => e.kind === 'vertex-log' && e.line === 'sock-ok /run/buildkit/ssh_agent.0'));
  const required = await context({ Dockerfile: 'FROM busybox\nRUN --mount=type=ssh,required=true true\n' });
  await assert.rejects(kilnBuild(required), { code: 'E_SECRET' });
});

test('RUN --mount=type=cache keeps its directory across builds and out of the layer', { skip }, async () => {
  const dir = await context({
    Dockerfile:
      'FROM busybox\nRUN --mount=type=cache,target=/var/cache/kiln-test echo run >> /var/cache/kiln-test/log && wc -l < /var/cache/kiln-test/log > /count\n',
  });
  await kilnBuild(dir);
  const second = await kilnBuild(dir, { noCache: true });
  const listing = await layerListing(lastLayer(second));
  assert.deepEqual(
    listing.map((l) => l.split(' ').at(-1)),
    ['count'],
  );
  const out = join(home, 'cache-out');
  await kilnBuild(dir, { noCache: true, outputs: [{ kind: 'local', dest: out }] });
  assert.equal((await readFile(join(out, 'count'), 'utf8')).trim(), '3');
});

test('outputs: type=local directory, type=tar file, type=oci archive', { skip }, async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo out > /result.txt\n' });
  const out = join(home, 'local-out');
  const tarFile = join(home, 'fs.tar');
  const ociFile = join(home, 'image.oci.tar');
  const { result } = await kilnBuild(dir, {
    tags: ['outputs:1'],
    outputs: [
      { kind: 'local', dest: out },
      { kind: 'tar', dest: tarFile },
      { kind: 'oci', dest: ociFile, names: [] },
    ],
  });
  assert.equal(await readFile(join(out, 'result.txt'), 'utf8'), 'out\n');
  assert.ok((await stat(join(out, 'bin', 'busybox'))).isFile());
  const { stdout } = await run('tar', ['-tf', tarFile]);
  assert.ok(stdout.split('\n').includes('result.txt'));
  const { stdout: index } = await run('tar', ['-xOf', ociFile, 'index.json']);
  assert.match(index, /application\/vnd\.oci\.image\.manifest\.v1\+json/);
  assert.ok(lastLayer({ result }).startsWith('sha256:'));
});

test('a failing stage stops the steps still running in other stages', { skip }, async () => {
  const dir = await context({
    Dockerfile: [
      'FROM busybox AS slow',
      'RUN sleep 45 && touch /done',
      'FROM busybox AS failing',
      'RUN sleep 1; exit 7',
      'FROM busybox',
      'COPY --from=slow /done /',
      'COPY --from=failing /etc/passwd /',
    ].join('\n'),
  });
  const events: ProgressEvent[] = [];
  await assert.rejects(
    build(
      { context: { kind: 'dir', path: dir }, storeRoot: root, env: { PATH: process.env.PATH } },
      { onEvent: (e) => events.push(e) },
    ),
    { code: 'E_RUN_FAILED' },
  );
  const slow = events.find((e) => e.kind === 'vertex-start' && e.name.includes('sleep 45'));
  assert.ok(slow !== undefined && slow.kind === 'vertex-start');
  const end = events.find(
    (e) => 'id' in e && e.id === slow.id && e.kind !== 'vertex-start' && e.kind !== 'vertex-log',
  );
  assert.equal(end?.kind, 'vertex-error');
  assert.equal(end?.kind === 'vertex-error' ? end.error.code : undefined, 'E_ABORTED');
});

test('steps that change nothing add no layer: their history entries are empty_layer', { skip }, async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nWORKDIR /etc\nRUN true\nWORKDIR /made\n' });
  const { result } = await kilnBuild(dir);
  assert.equal(result.manifest.layers.length, 2);
  assert.deepEqual(
    result.config.history?.map((h) => [h.created_by, h.empty_layer === true]),
    [
      ['busybox-static from Debian (kiln test fixture)', false],
      ['WORKDIR /etc', true],
      ['RUN /bin/sh -c true # buildkit', true],
      ['WORKDIR /made', false],
    ],
  );
  assert.deepEqual(await layerListing(lastLayer({ result })), ['drwxr-xr-x 0/0 made/']);
});

test('RUN --mount=type=secret: file and env forms, masked output, no trace in the layer; a leak fails the build', {
  skip,
}, async () => {
  const value = 'kiln-secret-value-4711';
  const secretOptions = {
    secrets: [{ kind: 'env' as const, id: 'tok', variable: 'KILN_TEST_TOKEN' }],
    env: { PATH: process.env.PATH, KILN_TEST_TOKEN: value },
  };
  const dir = await context({
    Dockerfile: [
      'FROM busybox',
      'RUN --mount=type=secret,id=tok cat /run/secrets/tok && echo',
      'RUN --mount=type=secret,id=tok,env=TOK sh -c \'printf %s "$TOK" | wc -c > /len\'',
    ].join('\n'),
  });
  const { result, events } = await kilnBuild(dir, secretOptions);
  const logs = events.flatMap((e) => (e.kind === 'vertex-log' ? [e.line] : []));
  assert.ok(logs.length > 0);
  assert.ok(!logs.some((l) => l.includes(value)), logs.join('\n'));
  assert.ok(
    logs.some((l) => l.includes('***') || l.includes('****')),
    logs.join('\n'),
  );
  assert.deepEqual(await layerListing(lastLayer({ result })), [`-rw-r--r-- 0/0 len`]);
  const leaky = await context({
    Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=tok cp /run/secrets/tok /leaked\n',
  });
  await assert.rejects(kilnBuild(leaky, secretOptions), { code: 'E_SECRET_LEAK' });
  const missing = await context({
    Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=absent,required=true true\n',
  });
  await assert.rejects(kilnBuild(missing), { code: 'E_SECRET' });
});

test('ADD <url>: downloaded once, mode 0600, checksum checked; COPY --from a local --build-context directory', {
  skip,
}, async () => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'last-modified': 'Tue, 02 Jan 2024 03:04:05 GMT' });
    res.end(`payload for ${req.url}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}/files/data.txt`;
    const localDir = await mkdtemp(join(home, 'named-'));
    await writeFile(join(localDir, 'extra.txt'), 'from a named context\n');
    const dir = await context({
      Dockerfile: `FROM busybox\nADD ${url} /dl/\nCOPY --from=extras extra.txt /extra.txt\n`,
    });
    const { parseBuildContexts } = await import('../../src/archive/index.js');
    const { result } = await kilnBuild(dir, { buildContexts: parseBuildContexts([`extras=${localDir}`]) });
    const layers = result.manifest.layers.slice(1).map((l) => l.digest);
    assert.deepEqual(await layerListing(layers[0]!), ['drwxr-xr-x 0/0 dl/', '-rw------- 0/0 dl/data.txt']);
    const { stdout: listed } = await run('tar', [
      '--full-time',
      '-tvf',
      store.blobPath(layers[0]! as never),
      'dl/data.txt',
    ]);
    assert.match(listed, /2024-01-02 03:04:05/);
    assert.deepEqual(
      (await layerListing(layers[1]!)).map((l) => l.split(' ').at(-1)),
      ['extra.txt'],
    );
    const wrong = await context({
      Dockerfile: `FROM busybox\nADD --checksum=sha256:${'0'.repeat(64)} ${url} /x\n`,
    });
    await assert.rejects(kilnBuild(wrong), { code: 'E_DIGEST_MISMATCH' });
  } finally {
    server.close();
  }
});

test('a long stack of layers is flattened for RUN (overlay option size limit)', { skip }, async () => {
  const files: Record<string, string> = {};
  const lines = ['FROM busybox'];
  for (let i = 0; i < 30; i++) {
    files[`f${i}.txt`] = `${i}\n`;
    lines.push(`COPY f${i}.txt /stack/`);
  }
  lines.push('RUN cat /stack/f0.txt /stack/f29.txt > /both');
  const dir = await context({ ...files, Dockerfile: lines.join('\n') });
  const out = join(home, 'stack-out');
  await kilnBuild(dir, { outputs: [{ kind: 'local', dest: out }] });
  assert.equal(await readFile(join(out, 'both'), 'utf8'), '0\n29\n');
});

test('COPY and WORKDIR follow symlinked directories of the base instead of hiding them', {
  skip,
}, async () => {
  const dir = await context({
    'one.txt': '1',
    Dockerfile: [
      'FROM busybox',
      'RUN mkdir -p /usr/lib2 && ln -s usr/lib2 /lib2 && ln -s /usr/lib2 /abs',
      'COPY one.txt /lib2/',
      'WORKDIR /abs/sub',
    ].join('\n'),
  });
  const { result } = await kilnBuild(dir);
  const layers = result.manifest.layers.slice(2).map((l) => l.digest);
  assert.deepEqual(
    (await layerListing(layers[0]!)).map((l) => l.split(' ').at(-1)),
    ['usr/', 'usr/lib2/', 'usr/lib2/one.txt'],
  );
  assert.deepEqual(
    (await layerListing(layers[1]!)).map((l) => l.split(' ').at(-1)),
    ['usr/', 'usr/lib2/', 'usr/lib2/sub/'],
  );
});
