import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  baseImageFor,
  copyImage,
  openDestination,
  openSource,
  parseBaseImageSpec,
  parseBuildContexts,
  parseTransportSpec,
  resolveBaseImage,
} from '../../src/archive/index.js';
import { isKilnError } from '../../src/errors.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { storeIn, taggedIndex, workDir } from './archive-fixtures.js';

describe('archive build bases', () => {
  it('parses FROM values and --build-context flags', () => {
    assert.equal(parseBaseImageSpec('busybox:1'), undefined);
    assert.deepEqual(parseBaseImageSpec('oci-layout:///srv/base:v1'), {
      kind: 'oci',
      dir: '/srv/base',
      pick: { kind: 'name', name: 'v1' },
    });
    const contexts = parseBuildContexts([
      'base=docker-archive:/tmp/b.tar',
      'alpine=docker-image://alpine:3.20',
      'src=local:./src',
      'plain=./dir',
    ]);
    assert.deepEqual(contexts.get('base'), {
      kind: 'archive',
      spec: { kind: 'docker-archive', file: '/tmp/b.tar', pick: { kind: 'all' } },
    });
    assert.deepEqual(baseImageFor('alpine', contexts), { kind: 'image', ref: 'alpine:3.20' });
    assert.deepEqual(baseImageFor('debian', contexts), { kind: 'image', ref: 'debian' });
    assert.deepEqual(contexts.get('plain'), { kind: 'local', dir: './dir' });
    assert.throws(
      () => baseImageFor('src', contexts),
      (e: unknown) => isKilnError(e) && e.code === 'E_USAGE',
    );
    for (const bad of ['noequals', '=x', 'a=', 'a=https://example.com/x']) {
      assert.throws(
        () => parseBuildContexts([bad]),
        (e: unknown) => isKilnError(e) && e.code === 'E_USAGE',
        bad,
      );
    }
  });

  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
  });
  afterEach(() => cleanup());

  it('resolveBaseImage imports the platform manifest of an OCI layout by tag and by digest', async () => {
    const source = await storeIn(dir, 'source');
    const { index, arm64 } = await taggedIndex(source, 'example.com/base:1');
    const src = await openSource(parseTransportSpec('example.com/base:1'), { store: async () => source });
    await copyImage({ src, dst: await openDestination(parseTransportSpec(`oci:${join(dir, 'layout')}:v1`)) });
    await src.close();
    const platform = { os: 'linux', architecture: 'arm64' };
    for (const text of [
      `oci-layout://${join(dir, 'layout')}:v1`,
      `oci-layout://${join(dir, 'layout')}@${index.digest}`,
    ]) {
      const resolved = await resolveBaseImage({ spec: parseBaseImageSpec(text)!, store, platform });
      assert.equal(resolved.manifestDescriptor.digest, arm64.manifest.digest, text);
      assert.equal(resolved.config.architecture, 'arm64');
      assert.equal(await store.hasBlob(arm64.layers[0]!.digest), true);
    }
    const entries = (await store.readIndex()).manifests;
    assert.deepEqual(
      entries.map((e) => e.digest),
      [arm64.manifest.digest],
      'kept once, untagged',
    );
    await assert.rejects(
      resolveBaseImage({
        spec: parseBaseImageSpec(`oci-layout://${join(dir, 'layout')}:v1`)!,
        store,
        platform: { os: 'linux', architecture: 's390x' },
      }),
      (e: unknown) => isKilnError(e) && e.code === 'E_PLATFORM',
    );
  });
});
