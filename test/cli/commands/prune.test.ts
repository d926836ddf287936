import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CacheMountManager, listCacheMounts } from '../../../src/mounts/index.js';
import { addUntaggedImage, setImageTag } from '../../../src/store/index.js';
import { type TestImage, writeTestImage } from '../../store/store-fixtures.js';
import { type StoreCli, storeCli } from './store-cli-harness.js';

describe('kiln prune', () => {
  let cli: StoreCli;
  let kept: TestImage;
  let dangling: TestImage;
  beforeEach(async () => {
    cli = await storeCli();
    kept = await writeTestImage(cli.store, { seed: 'kept' });
    dangling = await writeTestImage(cli.store, { seed: 'dangling' });
    await setImageTag(cli.store, 'kept', kept.manifest);
    await addUntaggedImage(cli.store, dangling.manifest);
  });
  afterEach(() => cli.cleanup());

  it('keeps recent blobs by default', async () => {
    await cli.store.writeBlob(Buffer.from('orphan'));
    const result = await cli.kiln('prune');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'Total reclaimed space: 0B\n');
  });

  it('--all --grace 0 removes dangling images and unreferenced blobs', async () => {
    const orphan = await cli.store.writeBlob(Buffer.from('orphan'));
    const dry = await cli.kiln('prune', '--all', '--grace', '0', '--dry-run');
    assert.match(dry.stdout, /Would remove image: /);
    assert.equal(existsSync(cli.store.blobPath(orphan.digest)), true);
    const result = await cli.kiln('prune', '--all', '--grace', '0');
    assert.equal(result.code, 0);
    assert.ok(result.stdout.includes(`Removed image: ${dangling.manifest.digest}`));
    assert.ok(result.stdout.includes(`Removed blob: ${orphan.digest}`));
    const freed = orphan.size + dangling.manifest.size + dangling.config.size + dangling.layers[0]!.size;
    assert.ok(
      result.stdout.endsWith(
        `Total reclaimed space: ${freed >= 1000 ? `${(freed / 1000).toPrecision(3).replace(/\.?0+$/, '')}kB` : `${freed}B`}\n`,
      ),
      result.stdout,
    );
    assert.equal(existsSync(cli.store.blobPath(kept.layers[0]!.digest)), true);
    assert.equal((await cli.kiln('prune', '--grace', 'soon')).code, 1);
  });

  it('removes RUN cache mounts unless --keep-cache-mounts', async () => {
    const manager = new CacheMountManager({ root: cli.store.paths.cacheMountsDir });
    const lease = await manager.acquire({
      mount: {
        type: 'cache',
        target: '/var/cache/apt',
        id: 'apt',
        sharing: 'shared',
        readOnly: false,
        mode: 0o755,
        uid: 0,
        gid: 0,
      },
    });
    await writeFile(join(lease.path, 'pkg.deb'), 'x'.repeat(2048));
    await lease.release();
    const kept = await cli.kiln('prune', '--keep-cache-mounts');
    assert.doesNotMatch(kept.stdout, /cache mount/);
    assert.equal((await listCacheMounts(cli.store.paths.cacheMountsDir)).length, 1);
    const dry = await cli.kiln('prune', '--dry-run');
    assert.match(dry.stdout, /Would remove cache mount: apt \(/);
    assert.equal((await listCacheMounts(cli.store.paths.cacheMountsDir)).length, 1);
    const result = await cli.kiln('prune');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Removed cache mount: apt \(/);
    assert.equal((await listCacheMounts(cli.store.paths.cacheMountsDir)).length, 0);
  });
});
