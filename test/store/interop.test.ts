/**
 * Other tools read kiln's layout: skopeo (`oci:DIR:REF`, REF = the ref.name annotation) and umoci.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LocalStore, setImageTag } from '../../src/store/index.js';
import { type TestImage, tempRoot, tempStore, writeTestImage } from './store-fixtures.js';

/** `{ skip }` value: a reason when the command does not run, else false. */
function missing(name: string): string | false {
  return spawnSync(name, ['--version']).status === 0
    ? false
    : `${name} is not installed (scripts/setup-host.sh installs it)`;
}

function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('interoperability of the store layout', () => {
  let store: LocalStore;
  let cleanup: () => void;
  let image: TestImage;
  before(async () => {
    ({ store, cleanup } = await tempStore());
    image = await writeTestImage(store, { seed: 'interop', layerCount: 2 });
    await setImageTag(store, 'busybox', image.manifest);
    await setImageTag(store, 'localhost:5000/team/app:v1', image.manifest);
  });
  after(() => cleanup());

  it('skopeo inspects a tag by its full reference', { skip: missing('skopeo') }, () => {
    const info = JSON.parse(run('skopeo', ['inspect', `oci:${store.root}:docker.io/library/busybox:latest`]));
    assert.equal(info.Digest, image.manifest.digest);
    assert.deepEqual(
      info.Layers,
      image.layers.map((l) => l.digest),
    );
    const config = JSON.parse(
      run('skopeo', ['inspect', '--config', `oci:${store.root}:localhost:5000/team/app:v1`]),
    );
    assert.equal(config.config.Labels.seed, 'interop');
  });

  it('skopeo copies the image out (verifying every blob)', { skip: missing('skopeo') }, () => {
    const out = tempRoot('kiln-skopeo-');
    try {
      run('skopeo', [
        'copy',
        '--quiet',
        `oci:${store.root}:docker.io/library/busybox:latest`,
        `oci:${out.dir}:copy`,
      ]);
      // skopeo compresses the uncompressed layers for its OCI destination; the config is copied as is.
      assert.ok(existsSync(join(out.dir, 'blobs', 'sha256', image.config.digest.slice(7))));
      const copied = JSON.parse(run('skopeo', ['inspect', '--config', `oci:${out.dir}:copy`]));
      assert.deepEqual(
        copied.rootfs.diff_ids,
        image.layers.map((l) => l.digest),
      );
    } finally {
      out.cleanup();
    }
  });

  it('umoci lists the tags and unpacks the image', { skip: missing('umoci') }, () => {
    const tags = run('umoci', ['ls', '--layout', store.root]).trim().split('\n').sort();
    assert.deepEqual(tags, ['docker.io/library/busybox:latest', 'localhost:5000/team/app:v1']);
    const bundle = tempRoot('kiln-umoci-');
    try {
      const dest = join(bundle.dir, 'bundle');
      run('umoci', [
        'unpack',
        '--rootless',
        '--image',
        `${store.root}:docker.io/library/busybox:latest`,
        dest,
      ]);
      assert.equal(readFileSync(join(dest, 'rootfs', 'file-1.txt'), 'utf8'), 'interop layer 1\n');
    } finally {
      bundle.cleanup();
    }
  });
});
