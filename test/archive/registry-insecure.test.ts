import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LocalStore } from '../../src/store/local-store.js';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { storeIn, type TestImage, taggedImage, workDir } from './archive-fixtures.js';
import { externalIPv4, type Forwarder, kilnIn, skopeoDigest, startForwarder } from './registry-helpers.js';

const address = externalIPv4();

describe('a plain-HTTP registry on a non-loopback address', {
  skip: address === undefined ? 'this host has no non-loopback IPv4 address' : registrySkip(),
}, () => {
  let registry: TestRegistry;
  let forwarder: Forwarder;
  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  let image: TestImage;
  const root = () => join(dir, 'store');

  /** An environment whose config home holds `files` (path relative to it → content). */
  function envWith(name: string, files: Readonly<Record<string, string>>): Record<string, string> {
    const home = join(dir, name);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(home, path, '..'), { recursive: true });
      writeFileSync(join(home, path), content);
    }
    return {
      HOME: home,
      XDG_CONFIG_HOME: home,
      KILN_REGISTRIES_CONFIG: join(home, 'kiln', 'registries.json'),
    };
  }

  before(async () => {
    registry = await startPlainRegistry();
    forwarder = await startForwarder(address!, registry.host);
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
    image = await taggedImage(store, 'example.com/insecure:1', 'regtransport-insecure');
  });
  after(async () => {
    await forwarder?.stop();
    await registry?.stop();
    cleanup?.();
  });

  const push = (env: Record<string, string>, repo: string, extra: readonly string[] = []) =>
    kilnIn(
      root(),
      ['copy', ...extra, 'kiln:example.com/insecure:1', `docker://${forwarder.host}/${repo}:1`],
      env,
    );

  it('is spoken to over HTTPS (and fails) when nothing marks it insecure', async () => {
    const result = await push(envWith('none', {}), 'none/app');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_REGISTRY_UNREACHABLE/);
  });

  it('insecure = true in $XDG_CONFIG_HOME/containers/registries.conf (v2) makes it plain HTTP', async () => {
    const env = envWith('v2', {
      'containers/registries.conf': `[[registry]]\nlocation = "${forwarder.host}"\ninsecure = true\n`,
    });
    const result = await push(env, 'v2/app');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await skopeoDigest(`${registry.host}/v2/app:1`), image.manifest.digest);
  });

  it('[registries.insecure] (v1) works too, and so does a docker:// source', async () => {
    const env = envWith('v1', {
      'containers/registries.conf': `[registries.insecure]\nregistries = ["${forwarder.host}"]\n`,
    });
    assert.equal((await push(env, 'v1/app')).code, 0);
    const back = await kilnIn(
      root(),
      ['copy', `docker://${forwarder.host}/v1/app:1`, `oci-archive:${join(dir, 'v1.tar')}`],
      env,
    );
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, new RegExp(`Copied ${image.manifest.digest}`));
  });

  it("kiln's registries.json, KILN_INSECURE_REGISTRIES and --insecure each make it plain HTTP", async () => {
    const kiln = envWith('kiln', { 'kiln/registries.json': JSON.stringify({ insecure: [forwarder.host] }) });
    assert.equal((await push(kiln, 'kiln/app')).code, 0);
    const fromEnv = { ...envWith('env', {}), KILN_INSECURE_REGISTRIES: `other:1,${forwarder.host}` };
    assert.equal((await push(fromEnv, 'env/app')).code, 0);
    const flag = await push(envWith('flag', {}), 'flag/app', ['--insecure']);
    assert.equal(flag.code, 0, flag.stderr);
    const pull = await kilnIn(join(dir, 'pulled'), ['pull', `${forwarder.host}/kiln/app:1`], kiln);
    assert.equal(pull.code, 0, pull.stderr);
  });
});
