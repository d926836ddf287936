/**
 * Hostile and corrupt archives: each case is a regression test. Loading must fail with a typed error
 * and leave the store's index exactly as it was; nothing is written outside the private temp dir.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  copyImage,
  loadArchive,
  openDestination,
  openSource,
  parseTransportSpec,
} from '../../src/archive/index.js';
import { isKilnError } from '../../src/errors.js';
import { sha256Digest } from '../../src/oci/digest.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import { makeTar, type RawMember, storeIn, taggedImage, tarMembers, workDir } from './archive-fixtures.js';

function code(expected: string) {
  return (error: unknown) => {
    assert.ok(isKilnError(error), `not a KilnError: ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    if (process.env.KILN_TEST_SHOW_ERRORS) console.log(error.message);
    return true;
  };
}

describe('hostile archives', () => {
  let dir: string;
  let cleanup: () => void;
  let source: LocalStore;
  let target: LocalStore;
  let dockerMembers: RawMember[];
  let ociMembers: RawMember[];
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    source = await storeIn(dir, 'source');
    target = await storeIn(dir, 'target');
    await taggedImage(source, 'example.com/app:1');
    await taggedImage(target, 'example.com/existing:1', 'existing');
    for (const [spec, file] of [
      ['docker-archive', 'good-docker.tar'],
      ['oci-archive', 'good-oci.tar'],
    ] as const) {
      const src = await openSource(parseTransportSpec('example.com/app:1'), { store: async () => source });
      const dst = await openDestination(parseTransportSpec(`${spec}:${join(dir, file)}`));
      await copyImage({ src, dst });
      await src.close();
    }
    dockerMembers = await tarMembers(readFileSync(join(dir, 'good-docker.tar')));
    ociMembers = await tarMembers(readFileSync(join(dir, 'good-oci.tar')));
  });
  afterEach(() => cleanup());

  async function loadFails(members: readonly RawMember[], expected: string): Promise<void> {
    const file = join(dir, 'hostile.tar');
    writeFileSync(file, await makeTar(members));
    const before = await target.readIndex();
    await assert.rejects(loadArchive({ store: target, file, tmpDir: dir }), code(expected));
    assert.deepEqual(await target.readIndex(), before, 'index.json unchanged');
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('kiln-archive-')),
      [],
      'temp directory removed',
    );
  }

  it('the unmodified archives load (control)', async () => {
    for (const file of ['good-docker.tar', 'good-oci.tar']) {
      const loaded = await loadArchive({ store: target, file: join(dir, file) });
      assert.deepEqual(loaded.images[0]!.tags, ['example.com/app:1']);
    }
  });

  it('refuses a member name with ".."', async () => {
    await loadFails([...dockerMembers, { name: '../escape', content: 'x' }], 'E_UNSAFE_ARCHIVE');
    await loadFails([{ name: 'blobs/../../escape', content: 'x' }, ...ociMembers], 'E_UNSAFE_ARCHIVE');
    assert.equal(existsSync(join(dir, 'escape')), false);
  });

  it('refuses an absolute member name', async () => {
    await loadFails([{ name: '/tmp/kiln-absolute', content: 'x' }, ...dockerMembers], 'E_UNSAFE_ARCHIVE');
  });

  it('refuses hard links, devices and FIFOs', async () => {
    await loadFails(
      [...dockerMembers, { name: 'hard', type: 'link', linkname: 'manifest.json' }],
      'E_UNSAFE_ARCHIVE',
    );
    await loadFails([...ociMembers, { name: 'dev', type: 'character-device' }], 'E_UNSAFE_ARCHIVE');
    await loadFails([...ociMembers, { name: 'fifo', type: 'fifo' }], 'E_UNSAFE_ARCHIVE');
  });

  it('refuses symlinks that leave the archive, are absolute, or dangle', async () => {
    await loadFails(
      [...dockerMembers, { name: 'a/layer.tar', type: 'symlink', linkname: '../../etc/passwd' }],
      'E_UNSAFE_ARCHIVE',
    );
    await loadFails(
      [...dockerMembers, { name: 'b', type: 'symlink', linkname: '/etc/passwd' }],
      'E_UNSAFE_ARCHIVE',
    );
    await loadFails(
      [...dockerMembers, { name: 'c', type: 'symlink', linkname: 'nothing-here' }],
      'E_UNSAFE_ARCHIVE',
    );
  });

  it('refuses duplicate member names (also after ./ normalisation)', async () => {
    const manifest = dockerMembers.find((m) => m.name === 'manifest.json')!;
    await loadFails([...dockerMembers, manifest], 'E_UNSAFE_ARCHIVE');
    await loadFails([...dockerMembers, { ...manifest, name: './manifest.json' }], 'E_UNSAFE_ARCHIVE');
  });

  it('refuses oversized JSON documents', async () => {
    const big = `[${' '.repeat(5 * 1024 * 1024)}]`;
    await loadFails(
      dockerMembers.map((m) => (m.name === 'manifest.json' ? { ...m, content: big } : m)),
      'E_TOO_LARGE',
    );
    await loadFails(
      ociMembers.map((m) => (m.name === 'index.json' ? { ...m, content: big } : m)),
      'E_TOO_LARGE',
    );
  });

  it('refuses an OCI blob whose bytes do not match its digest', async () => {
    const manifestJson = JSON.parse(String(ociMembers.find((m) => m.name === 'index.json')!.content)) as {
      manifests: { digest: string }[];
    };
    const manifestName = `blobs/sha256/${manifestJson.manifests[0]!.digest.slice(7)}`;
    const manifest = JSON.parse(String(ociMembers.find((m) => m.name === manifestName)!.content));
    const layerName = `blobs/sha256/${manifest.layers[1].digest.slice(7)}`;
    await loadFails(
      ociMembers.map((m) =>
        m.name === layerName ? { ...m, content: Buffer.from(String(m.content).toUpperCase()) } : m,
      ),
      'E_DIGEST_MISMATCH',
    );
    await loadFails(
      ociMembers.filter((m) => m.name !== layerName),
      'E_NOT_FOUND',
    );
  });

  it('refuses a docker-archive layer that does not match the config diff_ids', async () => {
    const items = JSON.parse(String(dockerMembers.find((m) => m.name === 'manifest.json')!.content));
    const layer = items[0].Layers[1] as string;
    await loadFails(
      dockerMembers.map((m) =>
        m.name === layer ? { ...m, content: Buffer.from(String(m.content).replace('layer', 'LAYER')) } : m,
      ),
      'E_DIGEST_MISMATCH',
    );
  });

  it('refuses malformed manifest.json and non-archives', async () => {
    await loadFails(
      dockerMembers.map((m) => (m.name === 'manifest.json' ? { ...m, content: '[{"Config":1}]' } : m)),
      'E_INVALID_DOCUMENT',
    );
    await loadFails(
      dockerMembers.map((m) =>
        m.name === 'manifest.json' ? { ...m, content: '[{"Config":"missing.json","Layers":[]}]' } : m,
      ),
      'E_INVALID_DOCUMENT',
    );
    await loadFails([{ name: 'hello.txt', content: 'hi' }], 'E_INVALID_DOCUMENT');
    const file = join(dir, 'garbage.tar');
    writeFileSync(file, Buffer.alloc(700, 7));
    await assert.rejects(loadArchive({ store: target, file }), code('E_UNSAFE_ARCHIVE'));
  });

  it('accepts gzip-compressed archives and skopeo-style layer.tar aliases', async () => {
    const items = JSON.parse(String(dockerMembers.find((m) => m.name === 'manifest.json')!.content));
    const aliased = items[0].Layers.map((layer: string) => `${layer.slice(0, 64)}/layer.tar`);
    const members: RawMember[] = [
      ...dockerMembers.filter((m) => m.name !== 'manifest.json'),
      ...items[0].Layers.map((layer: string, i: number) => ({
        name: aliased[i],
        type: 'symlink',
        linkname: `../${layer}`,
      })),
      { name: 'manifest.json', content: JSON.stringify([{ ...items[0], Layers: aliased }]) },
    ];
    const file = join(dir, 'aliased.tar.gz');
    writeFileSync(file, gzipSync(await makeTar(members)));
    const loaded = await loadArchive({ store: target, file });
    const resolved = await resolveImage(target, 'example.com/app:1');
    assert.equal(loaded.images[0]!.root.digest, resolved.root.digest);
    assert.equal(resolved.manifest.layers.length, 2);
    for (const layer of resolved.manifest.layers) {
      assert.equal(sha256Digest(await target.readBlob(layer.digest)), layer.digest);
    }
  });
});
