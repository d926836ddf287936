import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/main.js';
import { createRegistryClient } from '../../../src/registry/client.js';
import { staticCredentials } from '../../../src/registry/credentials/types.js';
import { pushImage } from '../../../src/registry/push.js';
import { openStore, resolveRoot, setImageTag } from '../../../src/store/index.js';
import { registrySkip, startBasicAuthRegistry, type TestRegistry } from '../../harness/registry.js';
import { writeTestImage } from '../../registry/fixtures.js';

let registry: TestRegistry;
let dir: string;

before(async () => {
  registry = await startBasicAuthRegistry({ alice: 'wonderland' });
  dir = await mkdtemp(join(tmpdir(), 'kiln-cli-registry-'));
});
after(async () => {
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function kiln(
  args: readonly string[],
  stdin = '',
  env: Readonly<Record<string, string>> = { HOME: join(dir, 'home'), PATH: process.env.PATH ?? '' },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli({
    argv: args,
    context: {
      stdout,
      stderr,
      stdin: Readable.from([Buffer.from(stdin)]),
      env,
      cwd: dir,
      signal: new AbortController().signal,
    },
  });
  return { code, stdout: out, stderr: err };
}

test('login verifies and saves credentials; push and pull use them; logout removes them', {
  skip: registrySkip(),
}, async () => {
  const bad = await kiln(['login', '-u', 'alice', '--password-stdin', registry.host], 'nope\n');
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /E_REGISTRY_AUTH/);

  const login = await kiln(['login', '-u', 'alice', '--password-stdin', registry.host], 'wonderland\n');
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const authFile = join(dir, 'home', '.config', 'kiln', 'auth.json');
  const saved = JSON.parse(await readFile(authFile, 'utf8'));
  assert.equal(Buffer.from(saved.auths[registry.host].auth, 'base64').toString(), 'alice:wonderland');

  const srcRoot = join(dir, 'src-root');
  const store = await openStore({ root: srcRoot, env: {} });
  const image = await writeTestImage(store, { layerSizes: [2000] });
  await setImageTag(store, `${registry.host}/cli/app:1`, image.manifest);

  const push = await kiln(['--root', srcRoot, 'push', `${registry.host}/cli/app:1`]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, new RegExp(`Digest: ${image.manifest.digest}`));

  const dstRoot = join(dir, 'dst-root');
  const pull = await kiln(['--root', dstRoot, 'pull', `${registry.host}/cli/app:1`]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /2 blobs downloaded, 0 already present/);
  const pulledStore = await openStore({ root: dstRoot, env: {} });
  assert.equal((await resolveRoot(pulledStore, `${registry.host}/cli/app:1`)).digest, image.manifest.digest);

  const logout = await kiln(['logout', registry.host]);
  assert.equal(logout.code, 0);
  assert.match(logout.stdout, /Removing login credentials/);
  assert.match((await kiln(['logout', registry.host])).stdout, /Not logged in/);

  const denied = await kiln(['--root', dstRoot, 'pull', `${registry.host}/cli/app:1`]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /E_REGISTRY_AUTH/);
});

test('login needs a username and a password', { skip: registrySkip() }, async () => {
  const noUser = await kiln(['login', '--password-stdin', registry.host], 'x');
  assert.equal(noUser.code, 1);
  assert.match(noUser.stderr, /E_USAGE/);
  const both = await kiln(['login', '-u', 'a', '-p', 'x', '--password-stdin', registry.host], 'x');
  assert.match(both.stderr, /E_USAGE/);
});

/** A docker-credential-<name> helper (shell) that knows alice's password for one registry only. */
async function writeHelper(binDir: string, name: string, host: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const path = join(binDir, `docker-credential-${name}`);
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'read -r server',
      `if [ "$1" = get ] && [ "$server" = "${host}" ]; then`,
      `  printf '{"ServerURL":"%s","Username":"alice","Secret":"wonderland"}' "$server"; exit 0`,
      'fi',
      'echo "credentials not found in native keychain"; exit 1',
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
}

test('pull finds credentials in docker config.json (auths, credHelpers, credsStore) and podman auth.json', {
  skip: registrySkip(),
}, async () => {
  const srcRoot = join(dir, 'cred-src');
  const store = await openStore({ root: srcRoot, env: {} });
  const image = await writeTestImage(store, { layerSizes: [500] });
  const client = createRegistryClient({
    credentials: staticCredentials({
      [registry.host]: { kind: 'basic', username: 'alice', password: 'wonderland' },
    }),
  });
  try {
    const repository = { registry: registry.host, repository: 'cli/creds' };
    await pushImage(client, { repository, store, digest: image.manifest.digest, tags: ['1'] });
  } finally {
    await client.close();
  }
  const auth = (password: string) => ({
    auths: { [registry.host]: { auth: Buffer.from(`alice:${password}`).toString('base64') } },
  });
  const cases: readonly { name: string; file: string; content: object; ok: boolean }[] = [
    { name: 'docker auths', file: '.docker/config.json', content: auth('wonderland'), ok: true },
    { name: 'docker auths, wrong password', file: '.docker/config.json', content: auth('nope'), ok: false },
    {
      name: 'docker credHelpers',
      file: '.docker/config.json',
      content: { credHelpers: { [registry.host]: 'kt' } },
      ok: true,
    },
    { name: 'docker credsStore', file: '.docker/config.json', content: { credsStore: 'kt' }, ok: true },
    {
      name: 'docker credsStore, unknown helper',
      file: '.docker/config.json',
      content: { credsStore: 'none' },
      ok: false,
    },
    { name: 'podman auth.json', file: 'run/containers/auth.json', content: auth('wonderland'), ok: true },
  ];
  for (const [i, c] of cases.entries()) {
    const home = join(dir, `cred-home-${i}`);
    await mkdir(join(home, c.file, '..'), { recursive: true });
    await writeFile(join(home, c.file), JSON.stringify(c.content));
    await writeHelper(join(home, 'bin'), 'kt', registry.host);
    const env = {
      HOME: home,
      XDG_RUNTIME_DIR: join(home, 'run'),
      PATH: `${join(home, 'bin')}:${process.env.PATH ?? ''}`,
    };
    const pull = await kiln(['--root', join(home, 'root'), 'pull', `${registry.host}/cli/creds:1`], '', env);
    if (c.ok) assert.equal(pull.code, 0, `${c.name}: ${pull.stderr}`);
    else {
      assert.equal(pull.code, 1, c.name);
      assert.match(pull.stderr, /E_REGISTRY_AUTH|E_CREDENTIALS/, c.name);
    }
  }
});
