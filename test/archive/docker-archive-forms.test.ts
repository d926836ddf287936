/**
 * The docker-archive forms kiln reads: the legacy layout and docker 25+'s OCI layout inside, plus
 * naming rules for OCI archives loaded into the store.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  copyImage,
  loadArchive,
  openDestination,
  openSource,
  parseTransportSpec,
} from '../../src/archive/index.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { DockerMediaType } from '../../src/oci/media-types.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import {
  makeTar,
  type RawMember,
  storeIn,
  type TestImage,
  taggedImage,
  tarMembers,
  workDir,
} from './archive-fixtures.js';

describe('docker-archive forms and archive names', () => {
  let dir: string;
  let cleanup: () => void;
  let source: LocalStore;
  let target: LocalStore;
  let image: TestImage;
  let ociMembers: RawMember[];
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    source = await storeIn(dir, 'source');
    target = await storeIn(dir, 'target');
    image = await taggedImage(source, 'example.com/forms/app:1');
    const src = await openSource(parseTransportSpec('example.com/forms/app:1'), {
      store: async () => source,
    });
    await copyImage({
      src,
      dst: await openDestination(parseTransportSpec(`oci-archive:${join(dir, 'oci.tar')}:v1`)),
    });
    await src.close();
    ociMembers = await tarMembers(readFileSync(join(dir, 'oci.tar')));
  });
  afterEach(() => cleanup());

  it('docker 25+ form: uses the OCI manifest inside instead of making one', async () => {
    const blob = (d: { digest: string }) => `blobs/sha256/${d.digest.slice(7)}`;
    const members: RawMember[] = [
      ...ociMembers,
      {
        name: 'manifest.json',
        content: JSON.stringify([
          {
            Config: blob(image.config),
            RepoTags: ['example.com/forms/docker25:1'],
            Layers: image.layers.map(blob),
          },
        ]),
      },
      { name: 'repositories', content: '{}' },
    ];
    const file = join(dir, 'docker25.tar');
    writeFileSync(file, await makeTar(members));
    const loaded = await loadArchive({ store: target, file });
    assert.equal(loaded.format, 'docker-archive');
    assert.equal(loaded.images[0]!.root.digest, image.manifest.digest);
    assert.deepEqual(loaded.images[0]!.tags, ['example.com/forms/docker25:1']);
  });

  it('legacy form: a Docker schema 2 manifest is made in containers-image field order', async () => {
    const file = join(dir, 'legacy.tar');
    const members: RawMember[] = [
      { name: 'cfg.json', content: await source.readBlob(image.config.digest) },
      ...(await Promise.all(
        image.layers.map(async (layer, i) => ({
          name: `l${i}/layer.tar`,
          content: await source.readBlob(layer.digest),
        })),
      )),
      {
        name: 'manifest.json',
        content: JSON.stringify([
          { Config: 'cfg.json', RepoTags: null, Layers: image.layers.map((_, i) => `l${i}/layer.tar`) },
        ]),
      },
    ];
    writeFileSync(file, await makeTar(members));
    const loaded = await loadArchive({ store: target, file, tag: 'example.com/forms/legacy:1' });
    const expected = JSON.stringify({
      schemaVersion: 2,
      mediaType: DockerMediaType.Manifest,
      config: { mediaType: DockerMediaType.Config, size: image.config.size, digest: image.config.digest },
      layers: image.layers.map((l) => ({
        mediaType: DockerMediaType.LayerGzip,
        size: l.size,
        digest: l.digest,
      })),
    });
    assert.equal(loaded.images[0]!.root.digest, sha256Digest(expected));
    assert.equal(String(await target.readBlob(loaded.images[0]!.root.digest)), expected);
    assert.deepEqual(loaded.images[0]!.tags, ['example.com/forms/legacy:1']);
  });

  it('an OCI archive name that is not a reference (v1) loads untagged unless --tag is given', async () => {
    const file = join(dir, 'oci.tar');
    const untagged = await loadArchive({ store: target, file });
    assert.deepEqual(untagged.images[0]!.tags, []);
    assert.ok((await target.readIndex()).manifests.some((m) => m.digest === image.manifest.digest));
    const tagged = await loadArchive({ store: target, file, tag: 'example.com/forms/named:3' });
    assert.deepEqual(tagged.images[0]!.tags, ['example.com/forms/named:3']);
    assert.equal(
      (await resolveImage(target, 'example.com/forms/named:3')).root.digest,
      image.manifest.digest,
    );
  });
});
