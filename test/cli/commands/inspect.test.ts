import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setImageTag } from '../../../src/store/index.js';
import { type TestImage, writeTestImage, writeTestIndex } from '../../store/store-fixtures.js';
import { type StoreCli, storeCli } from './store-cli-harness.js';

describe('kiln inspect', () => {
  let cli: StoreCli;
  let image: TestImage;
  beforeEach(async () => {
    cli = await storeCli();
    image = await writeTestImage(cli.store, { seed: 'x', layerCount: 2 });
    await setImageTag(cli.store, 'app:1', image.manifest);
  });
  afterEach(() => cli.cleanup());

  it('prints digest, tags, config and layers', async () => {
    const { code, stdout } = await cli.kiln('inspect', 'app:1');
    assert.equal(code, 0);
    const [doc] = JSON.parse(stdout);
    assert.equal(doc.Id, image.manifest.digest);
    assert.deepEqual(doc.RepoTags, ['docker.io/library/app:1']);
    assert.equal(doc.ConfigDigest, image.config.digest);
    assert.deepEqual(doc.Config.Labels, { seed: 'x' });
    assert.deepEqual(
      doc.RootFS.Layers,
      image.layers.map((l) => l.digest),
    );
    assert.deepEqual(
      doc.Layers.map((l: { digest: string }) => l.digest),
      image.layers.map((l) => l.digest),
    );
    assert.equal(doc.Architecture, 'amd64');
  });

  it('selects a platform of an index', async () => {
    const arm = await writeTestImage(cli.store, { seed: 'arm', architecture: 'arm64' });
    const index = await writeTestIndex(cli.store, [
      { image, architecture: 'amd64' },
      { image: arm, architecture: 'arm64' },
    ]);
    await setImageTag(cli.store, 'multi', index);
    const [doc] = JSON.parse((await cli.kiln('inspect', '--platform', 'linux/arm64', 'multi')).stdout);
    assert.equal(doc.Id, index.digest);
    assert.equal(doc.Manifest, arm.manifest.digest);
    assert.equal(doc.Architecture, 'arm64');
  });

  it('reports a missing image on stderr with exit code 1 and still prints the others', async () => {
    const { code, stdout, stderr } = await cli.kiln('inspect', 'app:1', 'missing');
    assert.equal(code, 1);
    assert.equal(JSON.parse(stdout).length, 1);
    assert.match(stderr, /"missing" not found.*\[E_NOT_FOUND\]/);
  });
});
