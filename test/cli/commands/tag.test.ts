import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { resolveImage, setImageTag } from '../../../src/store/index.js';
import { type TestImage, writeTestImage } from '../../store/store-fixtures.js';
import { type StoreCli, storeCli } from './store-cli-harness.js';

describe('kiln tag', () => {
  let cli: StoreCli;
  let image: TestImage;
  beforeEach(async () => {
    cli = await storeCli();
    image = await writeTestImage(cli.store, { seed: 't' });
    await setImageTag(cli.store, 'src:1', image.manifest);
  });
  afterEach(() => cli.cleanup());

  it('adds a name for an image given by tag or ID', async () => {
    assert.equal((await cli.kiln('tag', 'src:1', 'localhost:5000/dst:2')).code, 0);
    assert.equal((await cli.kiln('tag', image.manifest.digest.slice(7, 15), 'byid')).code, 0);
    const resolved = await resolveImage(cli.store, 'src:1');
    assert.deepEqual(resolved.tags, [
      'docker.io/library/src:1',
      'localhost:5000/dst:2',
      'docker.io/library/byid:latest',
    ]);
  });

  it('fails with E_NOT_FOUND / E_REFERENCE and exit code 1', async () => {
    const missing = await cli.kiln('tag', 'nope', 'x');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /E_NOT_FOUND/);
    const bad = await cli.kiln('tag', 'src:1', 'Bad//Name');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /E_REFERENCE/);
    assert.equal((await cli.kiln('tag', 'src:1')).code, 2, 'missing argument is a usage error');
  });
});
