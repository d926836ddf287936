import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setImageTag } from '../../../src/store/index.js';
import { type TestImage, writeTestImage } from '../../store/store-fixtures.js';
import { type StoreCli, storeCli } from './store-cli-harness.js';

describe('kiln rmi', () => {
  let cli: StoreCli;
  let image: TestImage;
  beforeEach(async () => {
    cli = await storeCli();
    image = await writeTestImage(cli.store, { seed: 'r' });
    await setImageTag(cli.store, 'one', image.manifest);
    await setImageTag(cli.store, 'two', image.manifest);
  });
  afterEach(() => cli.cleanup());

  it('untags, then deletes when the last tag goes', async () => {
    const first = await cli.kiln('rmi', 'one');
    assert.equal(first.code, 0);
    assert.equal(first.stdout, 'Untagged: docker.io/library/one:latest\n');
    const second = await cli.kiln('rmi', 'two');
    assert.equal(
      second.stdout,
      `Untagged: docker.io/library/two:latest\nDeleted: ${image.manifest.digest}\n`,
    );
    assert.deepEqual((await cli.store.readIndex()).manifests, []);
  });

  it('needs --force to remove an image by ID while several tags refer to it', async () => {
    const id = image.manifest.digest.slice(7, 19);
    const refused = await cli.kiln('rmi', id);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /referenced by 2 tags.*\[E_USAGE\]/);
    const forced = await cli.kiln('rmi', '-f', id);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /Deleted: sha256:/);
  });

  it('continues after a missing image and exits 1', async () => {
    const result = await cli.kiln('rmi', 'missing', 'one');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_NOT_FOUND/);
    assert.equal(result.stdout, 'Untagged: docker.io/library/one:latest\n');
  });
});
