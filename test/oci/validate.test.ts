import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import {
  convertIndex,
  convertManifest,
  DockerMediaType,
  type ImageManifest,
  manifestFormat,
  OciMediaType,
  parseManifestDocument,
  sha256Digest,
  validateConfig,
  validateDescriptor,
  validateIndex,
  validateLayout,
  validateManifest,
} from '../../src/oci/index.js';

const D1 = sha256Digest('one');
const D2 = sha256Digest('two');

function rejects(fn: () => unknown, pathPart: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isKilnError(e));
    assert.equal(e.code, 'E_INVALID_DOCUMENT');
    assert.ok(e.message.includes(pathPart), `${e.message} should name ${pathPart}`);
    return true;
  });
}

const dockerManifest = {
  schemaVersion: 2,
  mediaType: DockerMediaType.Manifest,
  config: { mediaType: DockerMediaType.Config, size: 10, digest: D1 },
  layers: [{ mediaType: DockerMediaType.LayerGzip, size: 20, digest: D2 }],
};

describe('validators', () => {
  it('name the JSON path of the problem', () => {
    rejects(
      () => validateManifest({ ...dockerManifest, layers: [{ mediaType: 'x/y', size: -1, digest: D2 }] }),
      '$.layers[0].size',
    );
    rejects(
      () => validateManifest({ ...dockerManifest, config: { mediaType: 'x/y', size: 1 } }),
      '$.config.digest',
    );
    rejects(
      () =>
        validateConfig({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [] },
          config: { Env: ['A=1', '=x'] },
        }),
      '$.config.Env[1]',
    );
    rejects(
      () =>
        validateIndex({
          schemaVersion: 2,
          manifests: [{ mediaType: 'a/b', size: 1, digest: D1, platform: { os: 'linux' } }],
        }),
      '$.manifests[0].platform.architecture',
    );
    rejects(
      () => validateDescriptor({ mediaType: 'a/b', size: 1, digest: D1, annotations: { 'a.b': 1 } }),
      '$.annotations["a.b"]',
    );
  });
  it('read Docker schema 2 manifests and lists natively, keeping unknown fields', () => {
    const m = validateManifest(dockerManifest);
    assert.equal(manifestFormat(m), 'docker');
    const config = validateConfig({
      architecture: 'amd64',
      os: 'linux',
      container_config: { Hostname: 'x' },
      config: {
        Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30e9 },
        OnBuild: null,
        Shell: ['/bin/sh', '-c'],
        Labels: null,
      },
      rootfs: { type: 'layers', diff_ids: [D1] },
    });
    assert.deepEqual((config as unknown as Record<string, unknown>).container_config, { Hostname: 'x' });
  });
  it('reject documents of the wrong kind and unsupported versions', () => {
    rejects(() => validateManifest({ ...dockerManifest, mediaType: OciMediaType.ImageIndex }), '$.mediaType');
    rejects(() => validateManifest({ ...dockerManifest, schemaVersion: 1 }), '$.schemaVersion');
    rejects(
      () => validateIndex({ schemaVersion: 2, mediaType: DockerMediaType.Manifest, manifests: [] }),
      '$.mediaType',
    );
    rejects(() => validateLayout({ imageLayoutVersion: '2.0.0' }), '$.imageLayoutVersion');
    rejects(() => validateManifest([]), '$');
    rejects(
      () =>
        validateConfig({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: ['sha256:abc'] },
        }),
      '$.rootfs.diff_ids[0]',
    );
    rejects(
      () =>
        validateConfig({
          architecture: 'amd64',
          os: 'linux',
          created: '2015-10-31 22:22',
          rootfs: { type: 'layers', diff_ids: [] },
        }),
      '$.created',
    );
  });
  it('accept layerless manifests unless asked to follow the schema strictly', () => {
    const empty = { ...dockerManifest, layers: [] };
    assert.equal(validateManifest(empty).layers.length, 0);
    rejects(() => validateManifest(empty, { requireLayers: true }), '$.layers');
  });
  it('check embedded data against size and digest', () => {
    const data = Buffer.from('hello').toString('base64');
    validateDescriptor({ mediaType: 'text/plain', size: 5, digest: sha256Digest('hello'), data });
    rejects(() => validateDescriptor({ mediaType: 'text/plain', size: 5, digest: D1, data }), '$.data');
    rejects(
      () => validateDescriptor({ mediaType: 'text/plain', size: 4, digest: sha256Digest('hello'), data }),
      '$.data',
    );
  });
});

describe('parseManifestDocument', () => {
  it('tells manifests from indexes and checks the declared type', () => {
    assert.equal(parseManifestDocument(JSON.stringify(dockerManifest)).kind, 'manifest');
    const index = { schemaVersion: 2, manifests: [] };
    assert.equal(parseManifestDocument(JSON.stringify(index)).kind, 'index');
    assert.equal(parseManifestDocument(JSON.stringify(index), OciMediaType.ImageIndex).kind, 'index');
    assert.throws(
      () => parseManifestDocument(JSON.stringify(dockerManifest), OciMediaType.ImageManifest),
      isKilnError,
    );
    assert.throws(
      () => parseManifestDocument('{', undefined),
      (e: unknown) => isKilnError(e) && e.code === 'E_INVALID_DOCUMENT',
    );
    assert.throws(
      () => parseManifestDocument('{}', 'application/vnd.docker.distribution.manifest.v1+prettyjws'),
      isKilnError,
    );
  });
});

describe('conversion', () => {
  it('OCI ↔ Docker round trip keeps digests and sizes', () => {
    const oci = convertManifest(validateManifest(dockerManifest), 'oci');
    assert.equal(oci.mediaType, OciMediaType.ImageManifest);
    assert.equal(oci.config.mediaType, OciMediaType.ImageConfig);
    assert.equal(oci.layers[0]!.mediaType, OciMediaType.ImageLayerGzip);
    validateManifest(oci);
    const back = convertManifest(oci, 'docker');
    assert.deepEqual(back, dockerManifest);
    assert.deepEqual(Object.keys(back), ['schemaVersion', 'mediaType', 'config', 'layers']);
  });
  it('refuses to silently drop OCI-only fields when writing Docker format', () => {
    const withAnnotations: ImageManifest = { ...validateManifest(dockerManifest), annotations: { a: 'b' } };
    assert.throws(
      () => convertManifest(withAnnotations, 'docker'),
      (e: unknown) => isKilnError(e) && e.code === 'E_USAGE',
    );
    assert.equal(
      convertManifest(withAnnotations, 'docker', { dropUnsupported: true }).annotations,
      undefined,
    );
  });
  it('converts indexes and keeps unknown artifact media types', () => {
    const index = validateIndex({
      schemaVersion: 2,
      mediaType: OciMediaType.ImageIndex,
      manifests: [
        {
          mediaType: OciMediaType.ImageManifest,
          size: 1,
          digest: D1,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        { mediaType: 'application/vnd.example+json', size: 1, digest: D2 },
      ],
    });
    const docker = convertIndex(index, 'docker');
    assert.equal(docker.mediaType, DockerMediaType.ManifestList);
    assert.deepEqual(
      docker.manifests.map((m) => m.mediaType),
      [DockerMediaType.Manifest, 'application/vnd.example+json'],
    );
    validateIndex(docker);
  });
});
