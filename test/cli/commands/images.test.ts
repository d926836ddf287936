import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { addUntaggedImage, setImageTag } from '../../../src/store/index.js';
import { type TestImage, writeTestImage } from '../../store/store-fixtures.js';
import { type StoreCli, storeCli } from './store-cli-harness.js';

describe('kiln images', () => {
  let cli: StoreCli;
  let a: TestImage;
  let b: TestImage;
  beforeEach(async () => {
    cli = await storeCli();
    a = await writeTestImage(cli.store, { seed: 'a', layerCount: 2 });
    b = await writeTestImage(cli.store, { seed: 'b' });
    await setImageTag(cli.store, 'busybox', a.manifest);
    await setImageTag(cli.store, 'ghcr.io/o/app:v1', a.manifest);
    await addUntaggedImage(cli.store, b.manifest);
  });
  afterEach(() => cli.cleanup());

  it('prints a table with short names, IDs and sizes', async () => {
    const { code, stdout } = await cli.kiln('images');
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const id = a.manifest.digest.slice(7, 19);
    assert.match(lines[1] ?? '', new RegExp(`^busybox\\s+latest\\s+${id}\\s+\\d+ \\w+ ago\\s+\\d`));
    assert.match(lines[2] ?? '', new RegExp(`^ghcr.io/o/app\\s+v1\\s+${id}`));
    assert.match(lines[3] ?? '', new RegExp(`^<none>\\s+<none>\\s+${b.manifest.digest.slice(7, 19)}`));
    assert.equal(lines.length, 4);
  });

  it('-q prints unique IDs; --digests adds the digest column', async () => {
    const quiet = await cli.kiln('images', '-q');
    assert.deepEqual(quiet.stdout.trim().split('\n'), [
      a.manifest.digest.slice(7, 19),
      b.manifest.digest.slice(7, 19),
    ]);
    const digests = await cli.kiln('images', '--digests');
    assert.match(digests.stdout.split('\n')[0] ?? '', /DIGEST/);
    assert.ok(digests.stdout.includes(a.manifest.digest));
  });

  it('filters by repository[:tag]', async () => {
    const byName = await cli.kiln('images', '-q', 'ghcr.io/o/app');
    assert.equal(byName.stdout, `${a.manifest.digest.slice(7, 19)}\n`);
    const table = await cli.kiln('images', 'busybox:latest');
    assert.equal(table.stdout.trimEnd().split('\n').length, 2);
    assert.equal((await cli.kiln('images', 'busybox:other')).stdout.trimEnd().split('\n').length, 1);
  });

  it('--format json prints the summaries', async () => {
    const { stdout } = await cli.kiln('images', '--format', 'json');
    const list = JSON.parse(stdout);
    assert.equal(list.length, 3);
    assert.equal(list[0].reference, 'docker.io/library/busybox:latest');
    assert.equal(list[0].size, a.manifest.size + a.config.size + a.layers.reduce((s, l) => s + l.size, 0));
    const bad = await cli.kiln('images', '--format', 'yaml');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /E_USAGE/);
  });
});
