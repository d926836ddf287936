import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../../src/errors.js';
import { helperErase, helperGet, helperStore } from '../../../src/registry/credentials/helper.js';
import { removeCredential, saveCredential } from '../../../src/registry/credentials/kiln-auth-file.js';
import { loadCredentials } from '../../../src/registry/credentials/load.js';
import { defaultCredentialPaths } from '../../../src/registry/credentials/paths.js';

let dir: string;
let env: Record<string, string>;

/** A fake docker-credential-<name> keeping credentials in a JSON file, speaking the helper protocol. */
async function writeHelper(name: string): Promise<void> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const script = `#!/usr/bin/env node
const fs = require('fs');
const db = process.env.FAKE_HELPER_DB;
const load = () => { try { return JSON.parse(fs.readFileSync(db, 'utf8')); } catch { return {}; } };
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const all = load();
  const verb = process.argv[2];
  if (verb === 'get') {
    const found = all[input.trim()];
    if (!found) { process.stdout.write('credentials not found in native keychain'); process.exit(1); }
    process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...found }));
  } else if (verb === 'store') {
    const v = JSON.parse(input);
    all[v.ServerURL] = { Username: v.Username, Secret: v.Secret };
    fs.writeFileSync(db, JSON.stringify(all));
  } else if (verb === 'erase') {
    if (!all[input.trim()]) { process.stdout.write('credentials not found in native keychain'); process.exit(1); }
    delete all[input.trim()];
    fs.writeFileSync(db, JSON.stringify(all));
  } else { process.stderr.write('boom'); process.exit(2); }
});
`;
  const path = join(bin, `docker-credential-${name}`);
  await writeFile(path, script);
  await chmod(path, 0o755);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-creds-'));
  env = {
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    FAKE_HELPER_DB: join(dir, 'helper-db.json'),
  };
  await writeHelper('fake');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('default paths come from the given env only', () => {
  const paths = defaultCredentialPaths({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1', DOCKER_CONFIG: '/dc' });
  assert.equal(paths.kilnAuthFile, '/h/.config/kiln/auth.json');
  assert.deepEqual(paths.containersAuthFiles, [
    '/run/user/1/containers/auth.json',
    '/h/.config/containers/auth.json',
  ]);
  assert.equal(paths.dockerConfigFile, '/dc/config.json');
  const xdg = defaultCredentialPaths({ HOME: '/h', XDG_CONFIG_HOME: '/cfg', REGISTRY_AUTH_FILE: '/a.json' });
  assert.deepEqual(xdg.containersAuthFiles, ['/a.json', '/cfg/containers/auth.json']);
  assert.equal(xdg.dockerConfigFile, '/h/.docker/config.json');
});

test('the helper protocol: store, get, erase, not found', async () => {
  await helperStore('fake', 'reg.example:5000', { kind: 'basic', username: 'u', password: 'p' }, { env });
  assert.deepEqual(await helperGet('fake', 'reg.example:5000', { env }), {
    kind: 'basic',
    username: 'u',
    password: 'p',
  });
  await helperStore('fake', 'docker.io', { kind: 'identityToken', token: 'rt' }, { env });
  assert.deepEqual(await helperGet('fake', 'docker.io', { env }), { kind: 'identityToken', token: 'rt' });
  const db = JSON.parse(await readFile(env.FAKE_HELPER_DB!, 'utf8'));
  assert.ok('https://index.docker.io/v1/' in db, 'Docker Hub is stored under its legacy URL');
  assert.equal(await helperErase('fake', 'reg.example:5000', { env }), true);
  assert.equal(await helperErase('fake', 'reg.example:5000', { env }), false);
  assert.equal(await helperGet('fake', 'reg.example:5000', { env }), undefined);
  await assert.rejects(helperGet('missing-helper', 'x', { env }), { code: ErrorCode.Credentials });
  await assert.rejects(helperGet('../evil', 'x', { env }), { code: ErrorCode.Credentials });
});

test('lookup order: kiln file, containers auth.json, docker config (credHelpers, auths, credsStore)', async () => {
  const paths = defaultCredentialPaths(env);
  await saveCredential(paths.kilnAuthFile, 'a.example', { kind: 'basic', username: 'kiln', password: '1' });
  await mkdir(join(env.XDG_RUNTIME_DIR!, 'containers'), { recursive: true });
  await writeFile(
    paths.containersAuthFiles[0]!,
    JSON.stringify({
      auths: {
        'a.example': { auth: Buffer.from('containers:2').toString('base64') },
        'b.example': { auth: Buffer.from('containers:2').toString('base64') },
      },
    }),
  );
  await mkdir(join(env.HOME!, '.docker'), { recursive: true });
  await writeFile(
    paths.dockerConfigFile,
    JSON.stringify({
      auths: {
        'b.example': { auth: Buffer.from('docker:3').toString('base64') },
        'c.example': { auth: Buffer.from('docker:3').toString('base64') },
        'e.example': {},
      },
      credHelpers: { 'd.example': 'fake' },
      credsStore: 'fake',
    }),
  );
  await helperStore('fake', 'd.example', { kind: 'basic', username: 'helper', password: '4' }, { env });
  await helperStore('fake', 'e.example', { kind: 'basic', username: 'store', password: '5' }, { env });
  const source = loadCredentials({ paths, env });
  const user = async (registry: string) => {
    const c = await source.get(registry);
    return c?.kind === 'basic' ? c.username : c;
  };
  assert.equal(await user('a.example'), 'kiln');
  assert.equal(await user('b.example'), 'containers');
  assert.equal(await user('c.example'), 'docker');
  assert.equal(await user('d.example'), 'helper');
  assert.equal(await user('e.example'), 'store');
  assert.equal(await user('f.example'), undefined);
});

test('saveCredential writes mode 0600 atomically; removeCredential removes only that registry', async () => {
  const file = join(dir, 'own', 'auth.json');
  await saveCredential(file, 'x.example', { kind: 'basic', username: 'u', password: 'p' });
  await saveCredential(file, 'y.example', { kind: 'basic', username: 'v', password: 'q' });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const content = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(Buffer.from(content.auths['x.example'].auth, 'base64').toString(), 'u:p');
  assert.equal(await removeCredential(file, 'x.example'), true);
  assert.equal(await removeCredential(file, 'x.example'), false);
  assert.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8')).auths), ['y.example']);
  assert.equal(await removeCredential(join(dir, 'none.json'), 'x'), false);
});
