import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/main.js';
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
      env: { HOME: join(dir, 'home'), PATH: process.env.PATH ?? '' },
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
