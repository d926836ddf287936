import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { asDigest } from '../../src/oci/digest.js';
import {
  addUntaggedImage,
  type LocalStore,
  listImages,
  removeImage,
  resolveImage,
  setImageTag,
  tagImage,
} from '../../src/store/index.js';
import { tempStore, writeTestImage, writeTestIndex } from './store-fixtures.js';

function code(expected: string) {
  return (error: unknown) => isKilnError(error) && error.code === expected;
}

describe('image API', () => {
  let store: LocalStore;
  let cleanup: () => void;
  beforeEach(async () => ({ store, cleanup } = await tempStore()));
  afterEach(() => cleanup());

  it('tags with the full normalised reference in the ref.name annotation', async () => {
    const image = await writeTestImage(store, { seed: 'a' });
    assert.equal(await setImageTag(store, 'busybox', image.manifest), 'docker.io/library/busybox:latest');
    assert.equal(await setImageTag(store, 'ghcr.io/o/r:1.0', image.manifest), 'ghcr.io/o/r:1.0');
    const index = JSON.parse(readFileSync(store.paths.indexFile, 'utf8'));
    assert.deepEqual(
      index.manifests.map(
        (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
      ),
      ['docker.io/library/busybox:latest', 'ghcr.io/o/r:1.0'],
    );
  });

  it('resolves by tag, short name, digest, name@digest and ID prefix', async () => {
    const image = await writeTestImage(store, { seed: 'a', layerCount: 2 });
    await setImageTag(store, 'example.com/app:v1', image.manifest);
    const digest = image.manifest.digest;
    for (const ref of ['example.com/app:v1', digest, `example.com/app@${digest}`, digest.slice(7, 19)]) {
      const resolved = await resolveImage(store, ref);
      assert.equal(resolved.root.digest, digest, ref);
      assert.deepEqual(resolved.tags, ['example.com/app:v1']);
      assert.equal(resolved.manifest.layers.length, 2);
      assert.deepEqual(
        resolved.config.rootfs.diff_ids,
        image.layers.map((l) => l.digest),
      );
    }
    await assert.rejects(resolveImage(store, 'example.com/app:v2'), code('E_NOT_FOUND'));
    await assert.rejects(resolveImage(store, `sha256:${'1'.repeat(64)}`), code('E_NOT_FOUND'));
    await assert.rejects(resolveImage(store, 'Bad//ref'), code('E_REFERENCE'));
    const busy = await writeTestImage(store, { seed: 'b' });
    await setImageTag(store, 'busybox:1', busy.manifest);
    assert.equal(
      (await resolveImage(store, 'docker.io/library/busybox:1')).root.digest,
      busy.manifest.digest,
    );
    assert.equal((await resolveImage(store, 'index.docker.io/busybox:1')).root.digest, busy.manifest.digest);
  });

  it('resolves the config digest (the image ID `kiln build -q` prints, as docker) and its prefix', async () => {
    const image = await writeTestImage(store, { seed: 'c' });
    await setImageTag(store, 'example.com/app:cfg', image.manifest);
    const config = image.config.digest;
    for (const ref of [config, config.slice(7, 19)]) {
      assert.equal((await resolveImage(store, ref)).root.digest, image.manifest.digest, ref);
    }
    await assert.rejects(resolveImage(store, `sha256:${'2'.repeat(64)}`), code('E_NOT_FOUND'));
    // The same config under a second manifest (another media-type format of one build): the ID
    // names the newest, not an ambiguity.
    const again = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: image.config,
        layers: image.layers,
        annotations: { second: 'yes' },
      }),
    );
    const info = await store.writeBlob(again);
    const second = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: info.digest,
      size: info.size,
    };
    await setImageTag(store, 'example.com/app:cfg2', second);
    for (const ref of [config, config.slice(7, 19)]) {
      assert.equal((await resolveImage(store, ref)).root.digest, second.digest, ref);
    }
  });

  it('picks the platform manifest from an index', async () => {
    const amd = await writeTestImage(store, { seed: 'amd', architecture: 'amd64' });
    const arm = await writeTestImage(store, { seed: 'arm', architecture: 'arm64' });
    const index = await writeTestIndex(store, [
      { image: amd, architecture: 'amd64' },
      { image: arm, architecture: 'arm64' },
    ]);
    await setImageTag(store, 'multi', index);
    const onArm = await resolveImage(store, 'multi', { platform: { os: 'linux', architecture: 'arm64' } });
    assert.equal(onArm.root.digest, index.digest);
    assert.equal(onArm.manifestDescriptor.digest, arm.manifest.digest);
    assert.equal(onArm.config.architecture, 'arm64');
    const child = await resolveImage(store, arm.manifest.digest);
    assert.equal(
      child.root.digest,
      arm.manifest.digest,
      'a manifest not listed in index.json resolves by digest',
    );
    assert.deepEqual(child.tags, []);
    await assert.rejects(
      resolveImage(store, 'multi', { platform: { os: 'linux', architecture: 's390x' } }),
      (e: unknown) =>
        isKilnError(e) && e.code === 'E_NOT_FOUND' && /linux\/amd64, linux\/arm64/.test(e.message),
    );
  });

  it('tagImage adds a name; removeImage untags and deletes the last reference', async () => {
    const image = await writeTestImage(store, { seed: 'a' });
    await setImageTag(store, 'app:1', image.manifest);
    assert.equal(await tagImage(store, 'app:1', 'app:latest'), 'docker.io/library/app:latest');
    assert.deepEqual((await resolveImage(store, 'app')).tags, [
      'docker.io/library/app:1',
      'docker.io/library/app:latest',
    ]);
    assert.deepEqual(await removeImage(store, 'app:1'), {
      untagged: ['docker.io/library/app:1'],
      deleted: [],
    });
    assert.deepEqual(await removeImage(store, 'app'), {
      untagged: ['docker.io/library/app:latest'],
      deleted: [image.manifest.digest],
    });
    assert.deepEqual((await store.readIndex()).manifests, []);
    await assert.rejects(removeImage(store, 'app'), code('E_NOT_FOUND'));
    await assert.rejects(tagImage(store, 'nothing', 'x'), code('E_NOT_FOUND'));
    await assert.rejects(
      tagImage(store, image.manifest.digest, `x@${image.manifest.digest}`),
      code('E_REFERENCE'),
    );
  });

  it('retagging moves a name to the new image', async () => {
    const a = await writeTestImage(store, { seed: 'a' });
    const b = await writeTestImage(store, { seed: 'b' });
    await setImageTag(store, 'app', a.manifest);
    await setImageTag(store, 'app', b.manifest);
    const index = await store.readIndex();
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0]?.digest, b.manifest.digest);
  });

  it('removing by digest needs force when several tags refer to the image', async () => {
    const image = await writeTestImage(store, { seed: 'a' });
    await setImageTag(store, 'one', image.manifest);
    await setImageTag(store, 'two', image.manifest);
    await assert.rejects(removeImage(store, image.manifest.digest), code('E_USAGE'));
    const result = await removeImage(store, image.manifest.digest.slice(7, 20), { force: true });
    assert.deepEqual(result.deleted, [image.manifest.digest]);
    assert.equal(result.untagged.length, 2);
  });

  it('lists tagged and dangling images with sizes', async () => {
    const a = await writeTestImage(store, { seed: 'a', layerCount: 2 });
    const b = await writeTestImage(store, { seed: 'b' });
    await setImageTag(store, 'ghcr.io/o/a:v1', a.manifest);
    await addUntaggedImage(store, b.manifest);
    await addUntaggedImage(store, b.manifest);
    const list = await listImages(store);
    assert.equal(list.length, 2);
    const [first, second] = list;
    assert.equal(first?.repository, 'ghcr.io/o/a');
    assert.equal(first?.tag, 'v1');
    assert.equal(first?.created, '2024-01-02T03:04:05Z');
    const expected = a.manifest.size + a.config.size + a.layers.reduce((s, l) => s + l.size, 0);
    assert.equal(first?.size, expected);
    assert.equal(second?.reference, undefined);
    assert.equal(second?.id, b.manifest.digest);
  });

  it('lists an image whose blobs are missing with a problem instead of failing', async () => {
    const a = await writeTestImage(store, { seed: 'a' });
    await setImageTag(store, 'x', a.manifest);
    const { rmSync } = await import('node:fs');
    rmSync(store.blobPath(a.config.digest));
    const [only] = await listImages(store);
    assert.match(only?.problem ?? '', /not found/);
    assert.equal(only?.size, undefined);
  });

  it('refuses to tag a blob that is not stored', async () => {
    const digest = asDigest(`sha256:${'2'.repeat(64)}`);
    await assert.rejects(
      setImageTag(store, 'x', { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 }),
      code('E_NOT_FOUND'),
    );
  });
});
