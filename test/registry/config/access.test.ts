import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  assertNotBlocked,
  decideRegistryAccess,
  insecureRegistriesFromEnv,
  transportOptionsFor,
} from '../../../src/registry/config/access.js';
import { parseKilnRegistries } from '../../../src/registry/config/kiln-registries-json.js';
import { defaultRegistryConfigPaths, loadRegistryConfig } from '../../../src/registry/config/load.js';
import { parseRegistriesConf } from '../../../src/registry/config/registries-conf.js';
import { EMPTY_REGISTRY_CONFIG } from '../../../src/registry/config/rules.js';
import { registryBaseUrl } from '../../../src/registry/transport.js';

const config = parseRegistriesConf(
  `[[registry]]
location = "registry.lan:5000"
insecure = true
[[registry]]
location = "registry.lan:5000/locked"
blocked = true
[[registry]]
location = "tls.lan:5000"
`,
  'registries.conf',
);

/** The scheme a client configured from the decision would use. */
function scheme(registry: string, input: Partial<Parameters<typeof decideRegistryAccess>[0]> = {}): string {
  const access = decideRegistryAccess({ registry, config, ...input });
  return new URL(registryBaseUrl(registry, transportOptionsFor(registry, access))).protocol;
}

describe('the registry access decision', () => {
  it('HTTPS by default, plain HTTP for loopback', () => {
    assert.deepEqual(decideRegistryAccess({ registry: 'quay.io', config }), {
      kind: 'https',
      verifyTls: true,
    });
    assert.equal(scheme('quay.io'), 'https:');
    assert.deepEqual(decideRegistryAccess({ registry: '127.0.0.1:5000', config }), {
      kind: 'plain-http',
      reason: 'loopback',
    });
    assert.equal(scheme('localhost:5000'), 'http:');
    assert.equal(scheme('[::1]:5000'), 'http:');
  });

  it('plain HTTP for a registry marked insecure in a configuration file', () => {
    const access = decideRegistryAccess({ registry: 'registry.lan:5000', repository: 'team/app', config });
    assert.equal(access.kind, 'plain-http');
    assert.equal(access.kind === 'plain-http' && access.reason, 'config');
    assert.equal(scheme('registry.lan:5000', { repository: 'team/app' }), 'http:');
    assert.equal(scheme('Registry.LAN:5000'), 'http:');
    // another port of the same host is another registry
    assert.equal(scheme('registry.lan:5001'), 'https:');
    assert.equal(scheme('tls.lan:5000'), 'https:');
  });

  it('the flag and KILN_INSECURE_REGISTRIES make a registry plain HTTP too', () => {
    assert.equal(scheme('quay.io', { insecureFlag: true }), 'http:');
    const fromEnv = insecureRegistriesFromEnv({ KILN_INSECURE_REGISTRIES: ' a.lan:1 , QUAY.io,, ' });
    assert.deepEqual(fromEnv, ['a.lan:1', 'quay.io']);
    assert.deepEqual(decideRegistryAccess({ registry: 'quay.io', config, insecureRegistries: fromEnv }), {
      kind: 'plain-http',
      reason: 'environment',
    });
    assert.equal(scheme('b.lan:1', { insecureRegistries: fromEnv }), 'https:');
  });

  it('--no-tls-verify keeps HTTPS but skips verification', () => {
    const access = decideRegistryAccess({ registry: 'quay.io', config, tlsVerify: false });
    assert.deepEqual(access, { kind: 'https', verifyTls: false });
    assert.deepEqual(transportOptionsFor('quay.io', access), {
      tlsRegistries: ['quay.io'],
      skipVerify: true,
    });
  });

  it('registries that must use TLS stay HTTPS even on loopback or when listed insecure', () => {
    assert.equal(scheme('127.0.0.1:5000', { tlsRegistries: ['127.0.0.1:5000'] }), 'https:');
    assert.equal(
      scheme('registry.lan:5000', { tlsRegistries: ['registry.lan:5000'], insecureFlag: true }),
      'https:',
    );
  });

  it('a blocked repository is refused whatever the flags say; its neighbours are not', () => {
    const access = decideRegistryAccess({
      registry: 'registry.lan:5000',
      repository: 'locked/app',
      config,
      insecureFlag: true,
    });
    assert.equal(access.kind, 'blocked');
    assert.throws(
      () => assertNotBlocked(access, 'registry.lan:5000/locked/app'),
      (e: { code?: string; message?: string }) =>
        e.code === 'E_REGISTRY_BLOCKED' && /registries\.conf/.test(e.message ?? ''),
    );
    assert.throws(() => transportOptionsFor('registry.lan:5000', access), { code: 'E_REGISTRY_BLOCKED' });
    assertNotBlocked(
      decideRegistryAccess({ registry: 'registry.lan:5000', repository: 'open', config }),
      'x',
    );
  });

  it('with no configuration only loopback is plain HTTP', () => {
    assert.equal(scheme('registry.lan:5000', { config: EMPTY_REGISTRY_CONFIG }), 'https:');
    const kiln = parseKilnRegistries('{"insecure": ["registry.lan:5000"]}', 'registries.json');
    assert.equal(scheme('registry.lan:5000', { config: kiln }), 'http:');
  });
});

describe('loading the configuration files', () => {
  function tempHome(): { dir: string; done(): void } {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-regconf-'));
    return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it('default paths follow XDG_CONFIG_HOME, then HOME/.config; KILN_REGISTRIES_CONFIG overrides kiln’s file', () => {
    assert.deepEqual(defaultRegistryConfigPaths({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), {
      containersUser: '/x/containers/registries.conf',
      containersSystem: '/etc/containers/registries.conf',
      kiln: '/x/kiln/registries.json',
    });
    assert.equal(
      defaultRegistryConfigPaths({ HOME: '/h' }).containersUser,
      '/h/.config/containers/registries.conf',
    );
    assert.equal(
      defaultRegistryConfigPaths({ HOME: '/h', KILN_REGISTRIES_CONFIG: '/k.json' }).kiln,
      '/k.json',
    );
  });

  it('the user containers file replaces the system one; kiln’s file is added; missing files are fine', async () => {
    const { dir, done } = tempHome();
    try {
      const system = join(dir, 'system.conf');
      const user = join(dir, 'user.conf');
      const kiln = join(dir, 'kiln.json');
      writeFileSync(system, '[[registry]]\nlocation = "system.lan"\ninsecure = true\n');
      writeFileSync(kiln, '{"insecure": ["kiln.lan"]}');
      const withoutUser = await loadRegistryConfig({ containersUser: user, containersSystem: system, kiln });
      assert.deepEqual(
        withoutUser.rules.map((r) => r.prefix),
        ['system.lan', 'kiln.lan'],
      );
      writeFileSync(user, '[[registry]]\nlocation = "user.lan"\ninsecure = true\n');
      const withUser = await loadRegistryConfig({ containersUser: user, containersSystem: system, kiln });
      assert.deepEqual(
        withUser.rules.map((r) => r.prefix),
        ['user.lan', 'kiln.lan'],
      );
      const none = await loadRegistryConfig({
        containersUser: join(dir, 'no', 'such'),
        containersSystem: join(dir, 'nope'),
        kiln: join(dir, 'none.json'),
      });
      assert.deepEqual(none, EMPTY_REGISTRY_CONFIG);
    } finally {
      done();
    }
  });

  it('an unreadable path (a directory) is an E_REGISTRY_CONFIG error naming it', async () => {
    const { dir, done } = tempHome();
    try {
      mkdirSync(join(dir, 'registries.json'));
      await assert.rejects(
        loadRegistryConfig({ kiln: join(dir, 'registries.json') }),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, 'E_REGISTRY_CONFIG');
          assert.ok(e.message?.includes(join(dir, 'registries.json')));
          return true;
        },
      );
    } finally {
      done();
    }
  });

  it('this host’s /etc/containers/registries.conf (if any) parses', async () => {
    await loadRegistryConfig({ containersSystem: '/etc/containers/registries.conf' });
  });
});
