/**
 * Interop with real tools: skopeo and umoci read kiln's OCI archives and layouts, rootless podman
 * loads kiln's docker-archives, and archives written by skopeo load into kiln with the digests skopeo
 * reports.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  copyImage,
  loadArchive,
  openDestination,
  openSource,
  parseTransportSpec,
  type TransportContext,
} from '../../src/archive/index.js';
import { sha256Digest } from '../../src/oci/digest.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import { podmanAs } from '../helpers/build-e2e.js';
import { canRunAsTestUser, TEST_USER } from '../helpers/cli.js';
import { storeIn, type TestImage, taggedImage, workDir } from './archive-fixtures.js';

const run = promisify(execFile);

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version']).status === 0;
}

const SKOPEO = hasTool('skopeo') ? false : 'skopeo is not installed';
const UMOCI = hasTool('umoci') ? false : 'umoci is not installed';

async function copy(from: string, to: string, context: TransportContext, extra: object = {}) {
  const src = await openSource(parseTransportSpec(from), context);
  try {
    return await copyImage({ src, dst: await openDestination(parseTransportSpec(to), context), ...extra });
  } finally {
    await src.close();
  }
}

async function json<T>(command: string, args: readonly string[]): Promise<T> {
  return JSON.parse((await run(command, args, { maxBuffer: 16 * 1024 * 1024 })).stdout) as T;
}

describe('interop with skopeo, umoci and podman', () => {
  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  let context: TransportContext;
  let image: TestImage;
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
    context = { store: async () => store, tmpDir: dir };
    image = await taggedImage(store, 'example.com/interop/app:1', 'interop');
  });
  afterEach(() => cleanup());

  it('skopeo inspect reads a kiln oci-archive', { skip: SKOPEO }, async () => {
    const file = join(dir, 'app.tar');
    await copy('example.com/interop/app:1', `oci-archive:${file}`, context);
    const inspected = await json<{ Digest: string; Architecture: string; Labels: Record<string, string> }>(
      'skopeo',
      ['inspect', `oci-archive:${file}`],
    );
    assert.equal(inspected.Digest, image.manifest.digest);
    assert.equal(inspected.Architecture, 'amd64');
    assert.equal(inspected.Labels.seed, 'interop');
    const config = await json<{ rootfs: { diff_ids: string[] } }>('skopeo', [
      'inspect',
      '--config',
      `oci-archive:${file}`,
    ]);
    assert.deepEqual(
      config.rootfs.diff_ids,
      image.layers.map((l) => l.digest),
    );
  });

  it('skopeo copies a kiln oci dir; umoci lists and unpacks it rootless', {
    skip: SKOPEO || UMOCI,
  }, async () => {
    const layout = join(dir, 'layout');
    await copy('example.com/interop/app:1', `oci:${layout}:v1`, context, { compression: 'gzip' });
    await run('skopeo', ['copy', `oci:${layout}:v1`, `oci:${join(dir, 'other')}:v1`]);
    const copied = JSON.parse(readFileSync(join(dir, 'other', 'index.json'), 'utf8'));
    const original = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    assert.equal(copied.manifests[0].digest, original.manifests[0].digest);
    const { stdout } = await run('umoci', ['ls', '--layout', layout]);
    assert.deepEqual(stdout.trim().split('\n'), ['v1']);
    const bundle = join(dir, 'bundle');
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:v1`, bundle]);
    assert.equal(readFileSync(join(bundle, 'rootfs', 'file-1.txt'), 'utf8'), 'interop layer 1\n');
  });

  it('skopeo-written oci-archive loads with identical manifest and config digests', {
    skip: SKOPEO,
  }, async () => {
    const layout = join(dir, 'layout');
    await copy('example.com/interop/app:1', `oci:${layout}:v1`, context, { compression: 'gzip' });
    const manifestDigest = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest;
    const file = join(dir, 'skopeo-oci.tar');
    await run('skopeo', ['copy', `oci:${layout}:v1`, `oci-archive:${file}:example.com/interop/skopeo:1`]);
    const other = await storeIn(dir, 'other');
    const loaded = await loadArchive({ store: other, file });
    assert.equal(loaded.images[0]!.root.digest, manifestDigest);
    const resolved = await resolveImage(other, 'example.com/interop/skopeo:1');
    assert.equal(resolved.manifest.config.digest, image.config.digest);
  });

  it('skopeo-written docker-archive loads with the digests skopeo reports', { skip: SKOPEO }, async () => {
    const layout = join(dir, 'layout');
    await copy('example.com/interop/app:1', `oci:${layout}:v1`, context, { compression: 'gzip' });
    const file = join(dir, 'skopeo-docker.tar');
    await run('skopeo', ['copy', `oci:${layout}:v1`, `docker-archive:${file}:example.com/interop/skopeo:2`]);
    const raw = (await run('skopeo', ['inspect', '--raw', `docker-archive:${file}`])).stdout;
    const inspected = await json<{ Digest: string }>('skopeo', ['inspect', `docker-archive:${file}`]);
    assert.equal(sha256Digest(raw), inspected.Digest);
    const other = await storeIn(dir, 'other');
    const loaded = await loadArchive({ store: other, file });
    assert.equal(loaded.images[0]!.root.digest, inspected.Digest);
    const resolved = await resolveImage(other, 'example.com/interop/skopeo:2');
    assert.equal(resolved.manifest.config.digest, image.config.digest);
    assert.deepEqual(
      resolved.config.rootfs.diff_ids,
      image.layers.map((l) => l.digest),
    );
  });

  it('kiln docker-archive → skopeo inspect and rootless podman load', {
    skip: SKOPEO || (canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)'),
    timeout: 300_000,
  }, async () => {
    const file = join(dir, 'docker.tar');
    await copy('example.com/interop/app:1', `docker-archive:${file}`, context);
    const inspected = await json<{ Labels: Record<string, string>; RepoTags: string[] }>('skopeo', [
      'inspect',
      `docker-archive:${file}`,
    ]);
    assert.equal(inspected.Labels.seed, 'interop');
    const home = join(dir, 'home');
    mkdirSync(join(home, 'run'), { recursive: true });
    const uid = Number((await run('id', ['-u', TEST_USER])).stdout);
    const gid = Number((await run('id', ['-g', TEST_USER])).stdout);
    for (const path of [dir, home, join(home, 'run')]) chownSync(path, uid, gid);
    chmodSync(join(home, 'run'), 0o700);
    chmodSync(file, 0o644);
    chmodSync(dir, 0o755);
    const podman = (...args: string[]) => podmanAs(home, args);
    const output = await podman('load', '-i', file);
    assert.match(output, /example\.com\/interop\/app:1/);
    const config = JSON.parse(await podman('image', 'inspect', 'example.com/interop/app:1')) as {
      Config: { Labels: Record<string, string>; Cmd: string[] };
      RootFS: { Layers: string[] };
    }[];
    assert.equal(config[0]!.Config.Labels.seed, 'interop');
    assert.deepEqual(config[0]!.Config.Cmd, ['/bin/sh']);
    assert.deepEqual(
      config[0]!.RootFS.Layers,
      image.layers.map((l) => l.digest),
    );
  });
});
