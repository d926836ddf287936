import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { asDigest } from '../../src/oci/digest.js';
import { OciAnnotation, OciMediaType } from '../../src/oci/media-types.js';
import type { Descriptor, ImageIndex } from '../../src/oci/types.js';
import { withTag } from '../../src/store/image-tags.js';
import { entryRefName } from '../../src/store/resolve-image.js';

const digests = ['1', '2', '3'].map((c) => asDigest(`sha256:${c.repeat(64)}`));
const names = ['docker.io/library/a:latest', 'docker.io/library/a:1', 'ghcr.io/o/b:v1'];

function descriptor(i: number): Descriptor {
  return { mediaType: OciMediaType.ImageManifest, digest: digests[i]!, size: 10 + i };
}

describe('withTag', () => {
  it('keeps every name unique and pointing at the last image tagged with it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { maxLength: 30 }),
        (ops) => {
          let index: ImageIndex = { schemaVersion: 2, mediaType: OciMediaType.ImageIndex, manifests: [] };
          const last = new Map<string, string>();
          for (const [name, image] of ops) {
            index = withTag(index, names[name]!, descriptor(image));
            last.set(names[name]!, digests[image]!);
          }
          const refNames = index.manifests.map(entryRefName);
          assert.equal(new Set(refNames).size, refNames.length);
          assert.deepEqual(new Map(index.manifests.map((m) => [entryRefName(m)!, m.digest])), last);
        },
      ),
    );
  });

  it('replaces a dangling entry of the same image and drops a stale ref name annotation', () => {
    const dangling: ImageIndex = { schemaVersion: 2, manifests: [descriptor(0)] };
    const source = { ...descriptor(0), annotations: { [OciAnnotation.RefName]: 'old', keep: 'yes' } };
    const tagged = withTag(dangling, names[0]!, source);
    assert.deepEqual(tagged.manifests, [
      { ...descriptor(0), annotations: { keep: 'yes', [OciAnnotation.RefName]: names[0] } },
    ]);
  });
});
