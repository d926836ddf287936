/**
 * End-to-end, as the unprivileged test user through the real CLI: build secrets, SSH agent forwarding
 * and cache mounts against real servers on 127.0.0.1 —
 * - a step downloads from an HTTP server that demands a token passed as a secret (file and env forms);
 *   the token is masked in the progress output, absent from every layer (extracted with GNU tar) and
 *   from the store, and a changed token value does not invalidate the cache;
 * - steps reach an sshd through forwarded agents (a private agent loaded from a key file, and the
 *   caller's own agent socket): `ssh-add -l` lists the key and `git clone` over ssh works;
 * - a cache mount is shared by two different builds: the second finds the downloaded package and skips
 *   the download; `kiln prune` removes the cache mount, after which a build downloads again.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { type CliResult, canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';
import { hostProgramsAvailable, writeHostToolsImage } from '../helpers/host-tools-image.js';
import { sshToolsMissing, startTokenServer, startUserSshd } from '../helpers/secret-servers.js';

const run = promisify(execFile);
const skip = canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)';
const TOOLS = ['/usr/bin/git', '/usr/bin/ssh', '/usr/bin/ssh-add'];

interface Fixture {
  readonly home: string;
  readonly root: string;
}

let fixture: Fixture | undefined;

before(async () => {
  if (skip !== false) return;
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-secrets-'));
  await chmod(home, 0o755);
  const root = join(home, 'kiln');
  const store = await openStore({ root, env: {} });
  await writeBusyboxImage(store, 'busybox:latest');
  if (sshToolsMissing() === undefined && hostProgramsAvailable(TOOLS)) {
    await writeHostToolsImage(store, 'tools:latest', TOOLS);
  }
  await run('chown', ['-R', TEST_USER, home]);
  fixture = { home, root };
});

after(async () => {
  if (fixture !== undefined) await rm(fixture.home, { recursive: true, force: true });
});

function need(): Fixture {
  assert.ok(fixture, 'fixture not set up');
  return fixture;
}

/** `kiln --root ROOT ARGS` as the test user (HOME = the fixture directory). */
function kiln(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  const { home, root } = need();
  return runKiln(['--root', root, ...args], { user: TEST_USER, env: { HOME: home, ...env }, cwd: home });
}

/** Writes a build context (owned by the test user) and returns its path. */
async function context(name: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(need().home, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  await run('chown', ['-R', TEST_USER, dir]);
  return dir;
}

async function asTestUser(path: string, text: string, mode = 0o600): Promise<string> {
  await writeFile(path, text, { mode });
  await run('chown', [TEST_USER, path]);
  return path;
}

interface Inspected {
  readonly Layers: readonly { readonly digest: string }[];
}

/** Extracts every layer of `ref` with GNU tar into one directory per layer; returns the directories. */
async function extractLayers(ref: string): Promise<string[]> {
  const { root } = need();
  const result = await kiln(['inspect', ref]);
  assert.equal(result.code, 0, result.stderr);
  const [image] = JSON.parse(result.stdout) as Inspected[];
  const dirs: string[] = [];
  for (const [i, layer] of image!.Layers.entries()) {
    const dir = await mkdtemp(join(tmpdir(), `kiln-e2e-layer-${i}-`));
    const blob = join(root, 'store', 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
    await run('tar', ['-xf', blob, '-C', dir, '--no-same-owner']);
    dirs.push(dir);
  }
  return dirs;
}

/** Files under `dirs` (recursively, binary too) that contain `needle`; `grep -r` is the independent tool. */
async function grepFiles(dirs: readonly string[], needle: string): Promise<string[]> {
  try {
    const { stdout } = await run('grep', ['-r', '-a', '-l', '-F', '--', needle, ...dirs]);
    return stdout.trim().split('\n').filter(Boolean);
  } catch (error) {
    if ((error as { code?: number }).code === 1) return [];
    throw error;
  }
}

test('--secret: a token-protected download with the file and env forms; masked, never stored, cache kept when the value changes', {
  skip,
  timeout: 300_000,
}, async () => {
  const { home, root } = need();
  const token = `tok-${Math.random().toString(36).slice(2)}-file-form-0815`;
  const envToken = `tok-${Math.random().toString(36).slice(2)}-env-form-4711`;
  const rotated = `tok-${Math.random().toString(36).slice(2)}-rotated-9999`;
  const server = await startTokenServer({
    tokens: [token, envToken, rotated],
    files: { '/pkg-a.txt': 'package A from the private registry\n', '/pkg-b.txt': 'package B\n' },
  });
  try {
    const ctx = await context('ctx-http', {
      Dockerfile: [
        'FROM busybox',
        'ARG REGISTRY',
        // File form at the default target; echoed too, to check masking.
        'RUN --mount=type=secret,id=registry_token \\',
        '    echo "using $(cat /run/secrets/registry_token)" && \\',
        '    wget -q -O /pkg-a.txt --header "Authorization: Bearer $(cat /run/secrets/registry_token)" $REGISTRY/pkg-a.txt',
        // Env form, required, no file.
        'RUN --mount=type=secret,id=env_token,env=TOKEN,required \\',
        '    test ! -e /run/secrets/env_token && \\',
        '    wget -q -O /pkg-b.txt --header "Authorization: Bearer $TOKEN" $REGISTRY/pkg-b.txt',
        '',
      ].join('\n'),
    });
    const tokenFile = await asTestUser(join(home, 'registry-token.txt'), `${token}\n`);
    const metadataFile = join(home, 'http-metadata.json');
    const build = (secretEnv: string) =>
      kiln(
        [
          'build',
          '--progress',
          'plain',
          '--secret',
          `id=registry_token,src=${tokenFile}`,
          '--secret',
          'type=env,id=env_token,env=KILN_E2E_TOKEN',
          '--build-arg',
          `REGISTRY=${server.url}`,
          '--metadata-file',
          metadataFile,
          '-t',
          'secret-http:1',
          ctx,
        ],
        { KILN_E2E_TOKEN: secretEnv },
      );
    const first = await build(envToken);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(server.served.sort(), ['/pkg-a.txt', '/pkg-b.txt']);
    assert.deepEqual(server.refused, []);
    assert.match(first.stderr, /using \*\*\*\*$/m, 'the echoed token is masked');
    for (const t of [token, envToken]) assert.ok(!first.stderr.includes(t) && !first.stdout.includes(t));

    const layers = await extractLayers('secret-http:1');
    assert.equal(
      await readFile(join(layers.at(-2)!, 'pkg-a.txt'), 'utf8'),
      'package A from the private registry\n',
    );
    assert.equal(await readFile(join(layers.at(-1)!, 'pkg-b.txt'), 'utf8'), 'package B\n');
    for (const t of [token, envToken]) {
      assert.deepEqual(await grepFiles(layers, t), [], `${t} in an extracted layer`);
      // The whole store (uncompressed layers, configs, manifests), the cache index and the metadata file.
      assert.deepEqual(await grepFiles([root, metadataFile], t), [], `${t} in the kiln root`);
    }
    for (const dir of layers) await rm(dir, { recursive: true, force: true });

    // A new value of a secret does not invalidate the cache (as in BuildKit): nothing is downloaded again.
    await asTestUser(tokenFile, `${rotated}\n`);
    const second = await build(rotated);
    assert.equal(second.code, 0, second.stderr);
    for (const step of ['[2/3] RUN', '[3/3] RUN']) {
      assert.match(
        second.stderr,
        new RegExp(`#(\\d+) ${escapeRegExp(step)}.*\\n#\\1 CACHED`),
        `${step} not cached`,
      );
    }
    assert.doesNotMatch(second.stderr, /using \*/);
    assert.equal(server.served.length, 2);
  } finally {
    await server.close();
  }
});

test('--ssh: ssh-add -l lists the key and git clone over ssh works, from a key file and from the caller agent', {
  skip:
    skip !== false
      ? skip
      : (sshToolsMissing() ?? (hostProgramsAvailable(TOOLS) ? false : 'ldd cannot describe git/ssh')),
  timeout: 300_000,
}, async () => {
  const { home } = need();
  const keyDir = join(home, 'ssh');
  await mkdir(keyDir);
  const key = join(keyDir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kiln-e2e-deploy-key', '-f', key]);
  await run('chown', ['-R', TEST_USER, keyDir]);
  const fingerprint = (await run('ssh-keygen', ['-l', '-f', `${key}.pub`])).stdout.split(' ')[1]!;
  // The private repository, served by an sshd of the test user.
  const repo = join(home, 'private.git');
  const work = join(home, 'private-work');
  await run('git', ['init', '-q', '--bare', repo]);
  await run('git', ['init', '-q', work]);
  await writeFile(join(work, 'lib.txt'), 'private dependency v1\n');
  await run('git', ['-C', work, 'add', 'lib.txt']);
  await run('git', ['-C', work, '-c', 'user.email=e2e@kiln', '-c', 'user.name=e2e', 'commit', '-qm', 'v1']);
  await run('git', ['-C', work, 'push', '-q', repo, 'HEAD:refs/heads/main']);
  await run('git', ['-C', repo, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
  await run('chown', ['-R', TEST_USER, repo]);
  const sshd = await startUserSshd({
    user: TEST_USER,
    dir: join(home, 'sshd'),
    authorizedKey: await readFile(`${key}.pub`, 'utf8'),
  });
  // The caller's own agent, holding the same key.
  const callerSocket = join(keyDir, 'caller-agent.sock');
  const agent: ChildProcess = spawn(
    'runuser',
    ['-u', TEST_USER, '--', 'ssh-agent', '-D', '-a', callerSocket],
    {
      stdio: 'ignore',
    },
  );
  try {
    await waitForFile(callerSocket);
    await run('runuser', [
      '-u',
      TEST_USER,
      '--',
      'env',
      `SSH_AUTH_SOCK=${callerSocket}`,
      'ssh-add',
      '-q',
      key,
    ]);
    const ctx = await context('ctx-ssh', {
      Dockerfile: [
        'FROM tools',
        'ARG SSH_PORT',
        'ARG REPO',
        'ENV GIT_SSH_COMMAND="ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"',
        // A private agent with the key file, at the default target.
        'RUN --mount=type=ssh ssh-add -l > /keys-default.txt && echo "sock=$SSH_AUTH_SOCK"',
        'RUN --mount=type=ssh,required git clone -q ssh://kilntest@127.0.0.1:$SSH_PORT$REPO /deps/private',
        // The caller's agent socket under its own id, target, mode and owner.
        'RUN --mount=type=ssh,id=caller,target=/run/agent.sock,mode=0660,uid=1000,gid=1000 \\',
        '    stat -c "%a %u:%g %F" /run/agent.sock > /caller-sock.txt && ssh-add -l > /keys-caller.txt',
        '',
      ].join('\n'),
    });
    const result = await kiln([
      'build',
      '--progress',
      'plain',
      '--ssh',
      `default=${key}`,
      '--ssh',
      `caller=${callerSocket}`,
      '--build-arg',
      `SSH_PORT=${sshd.port}`,
      '--build-arg',
      `REPO=${repo}`,
      '-t',
      'secret-ssh:1',
      ctx,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /sock=\/run\/buildkit\/ssh_agent\.0/);
    const layers = await extractLayers('secret-ssh:1');
    const [keysDefault, cloned, callerSock] = layers.slice(-3);
    assert.match(
      await readFile(join(keysDefault!, 'keys-default.txt'), 'utf8'),
      new RegExp(`${escapeRegExp(fingerprint)} kiln-e2e-deploy-key`),
    );
    assert.equal(await readFile(join(cloned!, 'deps/private/lib.txt'), 'utf8'), 'private dependency v1\n');
    assert.equal(await readFile(join(callerSock!, 'caller-sock.txt'), 'utf8'), '660 1000:1000 socket\n');
    assert.match(
      await readFile(join(callerSock!, 'keys-caller.txt'), 'utf8'),
      new RegExp(escapeRegExp(fingerprint)),
    );
    // Neither the private key nor an agent socket reaches a layer.
    const privateKey = (await readFile(key, 'utf8')).split('\n')[1]!;
    assert.deepEqual(await grepFiles(layers, privateKey), []);
    const { stdout: listing } = await run('sh', [
      '-c',
      `find ${layers.join(' ')} -type s -o -name 'ssh_agent*'`,
    ]);
    assert.equal(listing.trim(), '');
    for (const dir of layers) await rm(dir, { recursive: true, force: true });
  } finally {
    agent.kill('SIGTERM');
    await sshd.close();
  }
});

test('cache mounts: shared by two builds, the second skips the download; kiln prune removes them', {
  skip,
  timeout: 300_000,
}, async () => {
  const server = await startTokenServer({
    tokens: ['open'],
    files: { '/tool-1.0.tar': 'fake package archive\n' },
  });
  try {
    const install = (dest: string) =>
      [
        'FROM busybox',
        'ARG MIRROR',
        'ARG CACHE=/var/cache/pkg',
        // Like `apt-get install` with /var/cache/apt as a cache mount: download only when not cached.
        'RUN --mount=type=cache,id=pkg-cache,target=$CACHE,sharing=locked \\',
        '    if [ -f $CACHE/tool-1.0.tar ]; then echo "pkg: cache hit"; \\',
        '    else wget -q -O $CACHE/tool-1.0.tar --header "Authorization: Bearer open" $MIRROR/tool-1.0.tar && echo "pkg: downloaded"; fi && \\',
        `    mkdir -p ${dest} && cp $CACHE/tool-1.0.tar ${dest}/`,
        '',
      ].join('\n');
    const a = await context('ctx-cache-a', { Dockerfile: install('/opt/a') });
    const b = await context('ctx-cache-b', { Dockerfile: install('/usr/local/b') });
    const build = (ctx: string, tag: string) =>
      kiln(['build', '--progress', 'plain', '--build-arg', `MIRROR=${server.url}`, '-t', tag, ctx]);
    const first = await build(a, 'cache-a:1');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /pkg: downloaded/);
    const second = await build(b, 'cache-b:1');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /pkg: cache hit/, "the second build finds the first build's download");
    assert.deepEqual(server.served, ['/tool-1.0.tar']);
    // The cache directory is never part of a layer.
    const layers = await extractLayers('cache-b:1');
    assert.equal(
      await readFile(join(layers.at(-1)!, 'usr/local/b/tool-1.0.tar'), 'utf8'),
      'fake package archive\n',
    );
    const { stdout: inLayers } = await run('sh', ['-c', `find ${layers.join(' ')} -path '*var/cache/pkg*'`]);
    assert.equal(inLayers.trim(), '');
    for (const dir of layers) await rm(dir, { recursive: true, force: true });

    const pruned = await kiln(['prune']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Removed cache mount: pkg-cache/);
    const third = await kiln([
      'build',
      '--no-cache',
      '--progress',
      'plain',
      '--build-arg',
      `MIRROR=${server.url}`,
      a,
    ]);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /pkg: downloaded/);
    assert.equal(server.served.length, 2);
  } finally {
    await server.close();
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await run('test', ['-S', path]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`${path} did not appear`);
}
