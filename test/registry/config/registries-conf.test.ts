import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKilnRegistries } from '../../../src/registry/config/kiln-registries-json.js';
import { parseRegistriesConf } from '../../../src/registry/config/registries-conf.js';
import { findRegistryRule, mergeRegistryConfigs, prefixMatches } from '../../../src/registry/config/rules.js';

const FILE = '/etc/containers/registries.conf';

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseRegistriesConf(text, FILE),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, 'E_REGISTRY_CONFIG');
      assert.match(error.message ?? '', pattern);
      assert.ok(error.message?.startsWith(`${FILE}: `), error.message);
      return true;
    },
  );
}

describe('registries.conf v2', () => {
  const text = `
unqualified-search-registries = ["docker.io", "quay.io"]
short-name-mode = "enforcing"

[[registry]]
location = "registry.lan:5000"
insecure = true

[[registry]]
prefix = "example.com/blocked"
location = "example.com/blocked"
blocked = true

[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "mirror.lan:5000"
insecure = true
[[registry.mirror]]
location = "mirror2.lan"

[[registry]]
prefix = "*.corp.example"
insecure = true

[aliases]
"app" = "registry.lan:5000/app"
`;
  const config = parseRegistriesConf(text, FILE);

  it('reads location, prefix, insecure and blocked; ignores other keys', () => {
    const lan = findRegistryRule(config, 'registry.lan:5000/team/app');
    assert.deepEqual(lan, { prefix: 'registry.lan:5000', insecure: true, blocked: false, origin: FILE });
    assert.equal(findRegistryRule(config, 'example.com/blocked/app')?.blocked, true);
    assert.equal(findRegistryRule(config, 'example.com/blockedness/app'), undefined);
    assert.equal(findRegistryRule(config, 'example.com/other'), undefined);
  });

  it('reads mirrors in order, and an insecure mirror becomes an insecure rule', () => {
    assert.deepEqual(config.mirrors, { 'docker.io': ['mirror.lan:5000', 'mirror2.lan'] });
    assert.equal(findRegistryRule(config, 'mirror.lan:5000/library/busybox')?.insecure, true);
    assert.equal(findRegistryRule(config, 'mirror2.lan/library/busybox'), undefined);
    assert.equal(findRegistryRule(config, 'docker.io/library/busybox')?.insecure, false);
  });

  it('a "*." prefix matches every host under the domain, with any port, not the domain itself', () => {
    assert.equal(findRegistryRule(config, 'a.corp.example/x')?.insecure, true);
    assert.equal(findRegistryRule(config, 'b.a.corp.example:5000/x')?.insecure, true);
    assert.equal(findRegistryRule(config, 'corp.example/x'), undefined);
    assert.equal(findRegistryRule(config, 'notcorp.example/x'), undefined);
  });

  it('a remapped location (prefix ≠ location) is recorded as a mirror and inherits insecure', () => {
    const remap = parseRegistriesConf(
      '[[registry]]\nprefix = "example.com/foo"\nlocation = "internal:5000/foo"\ninsecure = true\n',
      FILE,
    );
    assert.deepEqual(remap.mirrors, { 'example.com/foo': ['internal:5000/foo'] });
    assert.equal(findRegistryRule(remap, 'internal:5000/foo/bar')?.insecure, true);
    assert.equal(findRegistryRule(remap, 'example.com/foo/bar')?.insecure, true);
  });

  it('an empty file and a file with only search registries have no rules', () => {
    assert.deepEqual(parseRegistriesConf('', FILE), { rules: [], mirrors: {} });
    assert.deepEqual(parseRegistriesConf('unqualified-search-registries = ["docker.io"]\n', FILE).rules, []);
  });

  it('refuses bad TOML (with its line), wrong types, schemes and stray wildcards', () => {
    rejects('[[registry]]\nlocation = \n', /line 2/);
    rejects('[[registry]]\nlocation = "x.example"\ninsecure = "yes"\n', /insecure must be true or false/);
    rejects('[[registry]]\nlocation = "https://x.example"\n', /URL schemes are not supported/);
    rejects('[[registry]]\nlocation = "x.*.example"\n', /wildcard/);
    rejects('[[registry]]\ninsecure = true\n', /neither location nor prefix/);
    rejects('registry = "x"\n', /array of tables/);
    rejects('[[registry]]\nlocation = "x.example"\n[[registry.mirror]]\ninsecure = true\n', /no location/);
  });
});

describe('registries.conf v1', () => {
  it('reads [registries.insecure] and [registries.block]', () => {
    const config = parseRegistriesConf(
      `[registries.search]
registries = ['docker.io']
[registries.insecure]
registries = ['old.lan:5000', 'both.lan']
[registries.block]
registries = ['bad.example', 'both.lan']
`,
      FILE,
    );
    assert.equal(findRegistryRule(config, 'old.lan:5000/app')?.insecure, true);
    assert.equal(findRegistryRule(config, 'old.lan:5000/app')?.blocked, false);
    assert.equal(findRegistryRule(config, 'bad.example/app')?.blocked, true);
    assert.deepEqual(findRegistryRule(config, 'both.lan/app'), {
      prefix: 'both.lan',
      insecure: true,
      blocked: true,
      origin: FILE,
    });
    assert.equal(findRegistryRule(config, 'docker.io/library/busybox'), undefined);
  });

  it('refuses a file mixing v1 and v2', () => {
    rejects("[registries.insecure]\nregistries = ['a']\n[[registry]]\nlocation = 'b'\n", /mixing v1/);
  });

  it('refuses a registries list that is not strings', () => {
    rejects('[registries.insecure]\nregistries = [1]\n', /array of strings/);
  });
});

describe("kiln's registries.json", () => {
  const file = '/home/u/.config/kiln/registries.json';

  it('reads insecure, blocked and mirrors', () => {
    const config = parseKilnRegistries(
      JSON.stringify({
        insecure: ['Registry.LAN:5000', '*.dev.example'],
        blocked: ['evil.example/'],
        mirrors: { 'docker.io': ['mirror.lan:5000'] },
      }),
      file,
    );
    assert.equal(findRegistryRule(config, 'registry.lan:5000/app')?.insecure, true);
    assert.equal(findRegistryRule(config, 'x.dev.example/app')?.insecure, true);
    assert.equal(findRegistryRule(config, 'evil.example/app')?.blocked, true);
    assert.deepEqual(config.mirrors, { 'docker.io': ['mirror.lan:5000'] });
  });

  it('refuses unknown keys, non-objects, bad JSON and bad entries', () => {
    const bad = (text: string, pattern: RegExp) =>
      assert.throws(
        () => parseKilnRegistries(text, file),
        (e: { code?: string; message?: string }) =>
          e.code === 'E_REGISTRY_CONFIG' && pattern.test(e.message ?? '') && e.message!.includes(file),
      );
    bad('{"insecur": []}', /unknown key "insecur"/);
    bad('[]', /must be a JSON object/);
    bad('{', /not valid JSON/);
    bad('{"insecure": "a.example"}', /array of strings/);
    bad('{"insecure": ["http://a.example"]}', /URL schemes/);
    bad('{"mirrors": {"docker.io": "m"}}', /array of strings/);
    bad('{"mirrors": []}', /must be a table/);
  });
});

describe('rule matching and merging', () => {
  it('prefixes match whole path components only', () => {
    assert.equal(prefixMatches('example.com/foo', 'example.com/foo'), true);
    assert.equal(prefixMatches('example.com/foo', 'example.com/foo/bar'), true);
    assert.equal(prefixMatches('example.com/foo', 'example.com/foobar'), false);
    assert.equal(prefixMatches('example.com', 'example.com:5000/x'), false);
    assert.equal(prefixMatches('EXAMPLE.com', 'example.COM/Path'), true);
    assert.equal(prefixMatches('example.com/Team', 'example.com/team/x'), false);
    assert.equal(prefixMatches('example.com', 'EXAMPLE.com/x'), true);
    assert.equal(prefixMatches('*.example.com/team', 'a.example.com:443/team/app'), true);
    assert.equal(prefixMatches('*.example.com/team', 'a.example.com/teams'), false);
  });

  it('the longest prefix wins; on a tie the later file wins', () => {
    const containers = parseRegistriesConf(
      '[[registry]]\nlocation = "r.example"\ninsecure = true\n[[registry]]\nlocation = "r.example/secure"\n',
      'containers',
    );
    const kiln = parseKilnRegistries('{"blocked": ["r.example"]}', 'kiln');
    const merged = mergeRegistryConfigs([containers, kiln]);
    assert.equal(findRegistryRule(merged, 'r.example/secure/app')?.origin, 'containers');
    assert.equal(findRegistryRule(merged, 'r.example/secure/app')?.insecure, false);
    assert.deepEqual(findRegistryRule(merged, 'r.example/other'), {
      prefix: 'r.example',
      insecure: false,
      blocked: true,
      origin: 'kiln',
    });
  });

  it('mirror lists of several files are joined without duplicates', () => {
    const merged = mergeRegistryConfigs([
      { rules: [], mirrors: { 'docker.io': ['a', 'b'] } },
      { rules: [], mirrors: { 'docker.io': ['b', 'c'], 'quay.io': ['q'] } },
    ]);
    assert.deepEqual(merged.mirrors, { 'docker.io': ['a', 'b', 'c'], 'quay.io': ['q'] });
  });
});
