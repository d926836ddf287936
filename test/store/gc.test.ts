import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Digest } from '../../src/oci/digest.js';
import { addUntaggedImage, type LocalStore, prune, removeImage, setImageTag } from '../../src/store/index.js';
import { tempStore, writeTestImage, writeTestIndex } from './store-fixtures.js';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function age(path: string, minutes: number): void {
  const when = new Date(Date.now() - minutes * 60_000);
  utimesSync(path, when, when);
}

describe('prune', () => {
  let store: LocalStore;
  let cleanup: () => void;
  beforeEach(async () => ({ store, cleanup } = await tempStore()));
  afterEach(() => cleanup());

  const present = (digest: Digest) => existsSync(store.blobPath(digest));

  it('sweeps blobs of removed images, keeps those of tagged ones, and reports bytes freed', async () => {
    const keep = await writeTestImage(store, { seed: 'keep', layerCount: 2 });
    const drop = await writeTestImage(store, { seed: 'drop', layerCount: 2 });
    await setImageTag(store, 'keep', keep.manifest);
    await setImageTag(store, 'drop', drop.manifest);
    await removeImage(store, 'drop');
    const result = await prune(store, { gracePeriodMs: 0 });
    const dropped = [drop.manifest, drop.config, ...drop.layers];
    assert.deepEqual([...result.removedBlobs].sort(), dropped.map((d) => d.digest).sort());
    assert.equal(
      result.bytesFreed,
      dropped.reduce((s, d) => s + d.size, 0),
    );
    for (const d of dropped) assert.equal(present(d.digest), false);
    for (const d of [keep.manifest, keep.config, ...keep.layers]) assert.equal(present(d.digest), true);
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, []);
  });

  it('keeps unreferenced blobs younger than the grace period', async () => {
    const orphan = await store.writeBlob(Buffer.from('just written'));
    const old = await store.writeBlob(Buffer.from('written long ago'));
    age(store.blobPath(old.digest), 60);
    const result = await prune(store);
    assert.deepEqual(result.removedBlobs, [old.digest]);
    assert.equal(result.keptUnreferenced, 1);
    assert.equal(present(orphan.digest), true);
  });

  it('rewriting a present blob refreshes it against GC', async () => {
    const blob = await store.writeBlob(Buffer.from('again'));
    age(store.blobPath(blob.digest), 60);
    await store.writeBlob(Buffer.from('again'));
    assert.deepEqual((await prune(store)).removedBlobs, []);
  });

  it('keeps blobs held by an active lease, until it is released', async () => {
    const lease = await store.createLease();
    const blob = await store.writeBlob(Buffer.from('leased'), { lease });
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, []);
    await lease.release();
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, [blob.digest]);
  });

  it('ignores leases of dead processes', async () => {
    const blob = await store.writeBlob(Buffer.from('held by a dead process'));
    const lease = join(store.paths.leasesDir, 'dead.json');
    writeFileSync(
      lease,
      JSON.stringify({
        version: 1,
        id: 'dead',
        pid: deadPid(),
        host: hostname(),
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        digests: [blob.digest],
      }),
    );
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, [blob.digest]);
    assert.equal(existsSync(lease), false);
  });

  it('ignores expired leases', async () => {
    const lease = await store.createLease({ ttlMs: -1 });
    await store.writeBlob(Buffer.from('expired lease'), { lease });
    assert.equal((await prune(store, { gracePeriodMs: 0 })).removedBlobs.length, 1);
    assert.deepEqual(readdirSync(store.paths.leasesDir), []);
  });

  it('keeps compressed variants of kept layers and forgets swept ones', async () => {
    const keep = await writeTestImage(store, { seed: 'keep' });
    const drop = await writeTestImage(store, { seed: 'drop' });
    await setImageTag(store, 'keep', keep.manifest);
    const keptGz = await store.writeBlob(Buffer.from('gzip of keep'));
    const droppedGz = await store.writeBlob(Buffer.from('gzip of drop'));
    const keepLayer = keep.layers[0]!.digest;
    const dropLayer = drop.layers[0]!.digest;
    await store.recordCompressed({ diffID: keepLayer, algorithm: 'gzip', blob: keptGz });
    await store.recordCompressed({ diffID: dropLayer, algorithm: 'gzip', blob: droppedGz });
    const result = await prune(store, { gracePeriodMs: 0 });
    assert.ok(result.removedBlobs.includes(droppedGz.digest));
    assert.ok(result.removedBlobs.includes(dropLayer));
    assert.equal(present(keptGz.digest), true);
    assert.deepEqual(await store.getCompressed(keepLayer, 'gzip'), keptGz);
    assert.equal(await store.getCompressed(dropLayer, 'gzip'), undefined);
  });

  it('removes temp files of dead writers and keeps live ones', async () => {
    const dead = join(store.paths.tmpDir, `${deadPid()}-0b7e1c2a-1111-4222-8333-944445555666.tmp`);
    const live = join(store.paths.tmpDir, `${process.pid}-0b7e1c2a-1111-4222-8333-944445555666.tmp`);
    const stray = join(store.paths.tmpDir, 'stray.tmp');
    writeFileSync(dead, 'partial');
    writeFileSync(live, 'in progress');
    writeFileSync(stray, 'no owner');
    age(live, 60);
    const first = await prune(store);
    assert.equal(first.removedTempFiles, 1);
    assert.equal(first.bytesFreed, 'partial'.length);
    assert.equal(existsSync(live), true);
    assert.equal(existsSync(stray), true);
    age(stray, 60);
    assert.equal((await prune(store)).removedTempFiles, 1);
    assert.equal(existsSync(stray), false);
  });

  it('with all, drops dangling images first', async () => {
    const tagged = await writeTestImage(store, { seed: 't' });
    const dangling = await writeTestImage(store, { seed: 'd' });
    await setImageTag(store, 't', tagged.manifest);
    await addUntaggedImage(store, dangling.manifest);
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, []);
    const result = await prune(store, { gracePeriodMs: 0, all: true });
    assert.deepEqual(result.removedImages, [dangling.manifest.digest]);
    assert.ok(result.removedBlobs.includes(dangling.manifest.digest));
    assert.equal((await store.readIndex()).manifests.length, 1);
  });

  it('follows the references of a manifest a strict validator would refuse', async () => {
    const layer = await store.writeBlob(Buffer.from('layer bytes'));
    const config = await store.writeBlob(Buffer.from('{"odd":true}'));
    const manifest = await store.writeBlob(
      Buffer.from(
        JSON.stringify({
          config: { mediaType: 'application/x-odd', digest: config.digest, size: config.size },
          layers: [{ mediaType: 'application/x-odd-layer', digest: layer.digest, size: layer.size }],
        }),
      ),
    );
    await store.updateIndex((index) => ({
      ...index,
      manifests: [{ mediaType: 'application/x-odd-manifest', digest: manifest.digest, size: manifest.size }],
    }));
    const orphan = await store.writeBlob(Buffer.from('orphan'));
    assert.deepEqual((await prune(store, { gracePeriodMs: 0 })).removedBlobs, [orphan.digest]);
    for (const d of [layer, config, manifest]) assert.equal(present(d.digest), true);
  });

  it('dry run reports without deleting', async () => {
    const blob = await store.writeBlob(Buffer.from('orphan'));
    const result = await prune(store, { gracePeriodMs: 0, dryRun: true });
    assert.deepEqual(result.removedBlobs, [blob.digest]);
    assert.equal(present(blob.digest), true);
  });

  it('keeps an index whose other-platform manifests were never pulled', async () => {
    const amd = await writeTestImage(store, { seed: 'amd' });
    const arm = await writeTestImage(store, { seed: 'arm', architecture: 'arm64' });
    const index = await writeTestIndex(store, [
      { image: amd, architecture: 'amd64' },
      { image: arm, architecture: 'arm64' },
    ]);
    await setImageTag(store, 'multi', index);
    const { rmSync } = await import('node:fs');
    rmSync(store.blobPath(arm.manifest.digest));
    const result = await prune(store, { gracePeriodMs: 0 });
    // The arm config and layer are unreachable now (their manifest is gone); amd stays whole.
    assert.deepEqual([...result.removedBlobs].sort(), [arm.config.digest, arm.layers[0]!.digest].sort());
    for (const d of [index, amd.manifest, amd.config, ...amd.layers]) assert.equal(present(d.digest), true);
  });
});
