import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Digest, sha256Digest } from '../../src/oci/digest.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../../src/registry/push.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import { startPlainRegistry, type TestRegistry, toolSkip } from '../harness/registry.js';
import { storeIn, type TestImage, taggedImage, taggedIndex, workDir } from './archive-fixtures.js';
import { kilnIn, skopeoDigest, skopeoRawDigest } from './registry-helpers.js';

describe('kiln copy with docker:// (real registries)', { skip: toolSkip('skopeo') }, () => {
  let registry: TestRegistry;
  let other: TestRegistry;
  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  let image: TestImage;
  let multi: Awaited<ReturnType<typeof taggedIndex>>;
  let env: Record<string, string>;
  const root = () => join(dir, 'store');

  async function seed(repository: string, digest: Digest, tag: string): Promise<void> {
    const client = createRegistryClient();
    try {
      await pushImage(client, {
        repository: { registry: registry.host, repository },
        store,
        digest,
        tags: [tag],
      });
    } finally {
      await client.close();
    }
  }

  before(async () => {
    registry = await startPlainRegistry();
    other = await startPlainRegistry();
    ({ dir, cleanup } = workDir());
    mkdirSync(join(dir, 'config'));
    env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
    store = await storeIn(dir, 'store');
    image = await taggedImage(store, 'example.com/app:1', 'regtransport-app', 3);
    multi = await taggedIndex(store, 'example.com/multi:1');
    await seed('src/app', image.manifest.digest, '1');
    await seed('src/multi', multi.index.digest, '1');
  });
  after(async () => {
    await registry?.stop();
    await other?.stop();
    cleanup?.();
  });

  it('kiln:REF → docker://: the store image is pushed through copy (skopeo sees the same digest)', async () => {
    const result = await kilnIn(
      root(),
      ['copy', 'kiln:example.com/app:1', `docker://${registry.host}/pushed/app:7`],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`Copied ${image.manifest.digest}`));
    assert.match(result.stderr, /4 blobs copied, 0 mounted, 0 already there/);
    assert.equal(await skopeoDigest(`${registry.host}/pushed/app:7`), image.manifest.digest);
  });

  for (const name of ['app', 'multi'] as const) {
    it(`registry → oci-archive → registry keeps the ${name} digest`, async () => {
      const expected = name === 'app' ? image.manifest.digest : multi.index.digest;
      const file = join(dir, `${name}.tar`);
      const out = await kilnIn(
        root(),
        ['copy', `docker://${registry.host}/src/${name}:1`, `oci-archive:${file}`],
        env,
      );
      assert.equal(out.code, 0, out.stderr);
      const back = await kilnIn(
        root(),
        ['copy', `oci-archive:${file}`, `docker://${registry.host}/round/${name}:2`],
        env,
      );
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stderr, new RegExp(`Copied ${expected}`));
      assert.equal(await skopeoRawDigest(`${registry.host}/round/${name}:2`), expected);
      // skopeo reads the archive kiln wrote from the registry, and finds the same root
      assert.equal(await skopeoRawDigest(`oci-archive:${file}`, ''), expected);
    });
  }

  it('an index copied between two registries keeps the index and every child manifest', async () => {
    const result = await kilnIn(
      root(),
      ['copy', `docker://${registry.host}/src/multi:1`, `docker://${other.host}/copy/multi:1`],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`Copied ${multi.index.digest}`));
    assert.match(result.stderr, / 0 mounted, 0 already there/);
    assert.equal(await skopeoRawDigest(`${other.host}/copy/multi:1`), multi.index.digest);
    for (const child of [multi.amd64, multi.arm64]) {
      assert.equal(
        await skopeoRawDigest(`${other.host}/copy/multi@${child.manifest.digest}`),
        child.manifest.digest,
      );
    }
  });

  it('docker:// → kiln:REF stores the whole index under the given tag', async () => {
    const result = await kilnIn(
      root(),
      ['copy', `docker://${registry.host}/src/multi:1`, 'kiln:example.com/pulled/multi:9'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const resolved = await resolveImage(store, 'example.com/pulled/multi:9');
    assert.equal(resolved.root.digest, multi.index.digest);
    assert.equal(resolved.index?.manifests.length, 2);
  });

  it('--platform picks one manifest out of a registry index', async () => {
    const file = join(dir, 'arm64.tar');
    const result = await kilnIn(
      root(),
      [
        'copy',
        '--platform',
        'linux/arm64',
        `docker://${registry.host}/src/multi:1`,
        `oci-archive:${file}:arm`,
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`Copied ${multi.arm64.manifest.digest}`));
  });

  it('a digest destination must be the digest of what is copied', async () => {
    const wrong = sha256Digest('not this image');
    const result = await kilnIn(
      root(),
      ['copy', `docker://${registry.host}/src/app:1`, `docker://${registry.host}/pinned/app@${wrong}`],
      env,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_DIGEST_MISMATCH/);
    const right = await kilnIn(
      root(),
      [
        'copy',
        `docker://${registry.host}/src/app:1`,
        `docker://${registry.host}/pinned/app@${image.manifest.digest}`,
      ],
      env,
    );
    assert.equal(right.code, 0, right.stderr);
  });

  it('a repository blocked in kiln/registries.json is refused for copy and pull, its neighbours are not', async () => {
    const configHome = join(dir, 'blocked-config');
    mkdirSync(join(configHome, 'kiln'), { recursive: true });
    writeFileSync(
      join(configHome, 'kiln', 'registries.json'),
      JSON.stringify({ blocked: [`${registry.host}/secret`] }),
    );
    const blockedEnv = { ...env, XDG_CONFIG_HOME: configHome };
    const refused = await kilnIn(
      root(),
      ['copy', 'kiln:example.com/app:1', `docker://${registry.host}/secret/app:1`],
      blockedEnv,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /E_REGISTRY_BLOCKED/);
    assert.match(refused.stderr, /registries\.json/);
    const pull = await kilnIn(root(), ['pull', `${registry.host}/secret/app:1`], blockedEnv);
    assert.match(pull.stderr, /E_REGISTRY_BLOCKED/);
    const allowed = await kilnIn(
      root(),
      ['copy', 'kiln:example.com/app:1', `docker://${registry.host}/public/app:1`],
      blockedEnv,
    );
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('a broken registries.conf is reported with its path and line', async () => {
    const configHome = join(dir, 'broken-config');
    mkdirSync(join(configHome, 'containers'), { recursive: true });
    writeFileSync(join(configHome, 'containers', 'registries.conf'), '[[registry]]\nlocation = \n');
    const result = await kilnIn(
      root(),
      ['copy', `docker://${registry.host}/src/app:1`, `oci-archive:${join(dir, 'never.tar')}`],
      { ...env, XDG_CONFIG_HOME: configHome },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_REGISTRY_CONFIG/);
    assert.match(result.stderr, /registries\.conf: line 2/);
  });

  it('the oci-archive written from a registry names the image by its reference', async () => {
    const file = join(dir, 'named.tar');
    const result = await kilnIn(
      root(),
      ['copy', `docker://${registry.host}/src/app:1`, `oci-archive:${file}`],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const other = await storeIn(dir, 'other-store');
    const load = await kilnIn(join(dir, 'other-store'), ['load', '-i', file], env);
    assert.equal(load.code, 0, load.stderr);
    const resolved = await resolveImage(other, `${registry.host}/src/app:1`);
    assert.equal(resolved.root.digest, image.manifest.digest);
  });
});
