import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { layerMediaType, layerMediaTypeInfo, OciAnnotation, OciMediaType } from '../../src/oci/index.js';
import { conformanceDir } from '../helpers/paths.js';

interface Constant {
  readonly name: string;
  readonly value: string;
  readonly deprecated: boolean;
}

function load(file: string, key: string): readonly Constant[] {
  const data = JSON.parse(readFileSync(join(conformanceDir(), 'image-spec', 'json', file), 'utf8')) as Record<
    string,
    unknown
  >;
  return data[key] as readonly Constant[];
}

describe('image-spec constants', () => {
  it('every upstream media type is in OciMediaType with the same value, and nothing else', () => {
    const upstream = load('mediatypes.json', 'media_types');
    const ours = new Map(Object.entries(OciMediaType).map(([k, v]) => [`MediaType${k}`, v]));
    for (const c of upstream) assert.equal(ours.get(c.name), c.value, c.name);
    assert.equal(ours.size, upstream.length);
  });
  it('every upstream annotation key is in OciAnnotation with the same value', () => {
    const upstream = load('annotations.json', 'annotations');
    const ours = new Map(Object.entries(OciAnnotation).map(([k, v]) => [`Annotation${k}`, v]));
    for (const c of upstream) assert.equal(ours.get(c.name), c.value, c.name);
    assert.equal(ours.size, upstream.length);
  });
});

describe('layer media types', () => {
  it('knows compression and distributability', () => {
    assert.deepEqual(layerMediaTypeInfo('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'), {
      compression: 'gzip',
      nondistributable: true,
      format: 'docker',
    });
    assert.equal(layerMediaTypeInfo(OciMediaType.ImageLayerZstd)?.compression, 'zstd');
    assert.equal(layerMediaTypeInfo('application/json'), undefined);
    assert.equal(layerMediaTypeInfo('toString'), undefined);
  });
  it('round-trips compression to media type', () => {
    for (const format of ['oci', 'docker'] as const) {
      for (const compression of ['none', 'gzip', 'zstd'] as const) {
        assert.deepEqual(layerMediaTypeInfo(layerMediaType(compression, format)), {
          compression,
          nondistributable: false,
          format,
        });
      }
    }
  });
});
