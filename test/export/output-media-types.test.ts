import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAnnotationsFit, outputFormat, storedImageFormat } from '../../src/export/output-media-types.js';
import { type OutputSpec, parseOutputSpec } from '../../src/export/output-spec.js';

function specs(...texts: string[]): OutputSpec[] {
  return texts.map(parseOutputSpec);
}

function formatOf(text: string, stored: 'oci' | 'docker'): string {
  const spec = parseOutputSpec(text);
  if (spec.kind === 'local' || spec.kind === 'tar') throw new Error(`${text} has no media types`);
  return outputFormat(spec, stored);
}

test('exporter defaults: OCI for image, registry, oci and docker (as BuildKit v0.31)', () => {
  assert.equal(storedImageFormat([]), 'oci');
  assert.equal(storedImageFormat(specs('type=image', 'type=registry', 'type=docker,dest=d.tar')), 'oci');
  assert.equal(formatOf('type=image', 'oci'), 'oci');
  assert.equal(formatOf('type=registry', 'oci'), 'oci');
  assert.equal(formatOf('type=oci,dest=o.tar', 'docker'), 'oci');
  assert.equal(formatOf('type=docker,dest=d.tar', 'docker'), 'oci');
});

test('explicit oci-mediatypes= wins over the default for every exporter', () => {
  assert.equal(formatOf('type=oci,dest=o.tar,oci-mediatypes=false', 'oci'), 'docker');
  assert.equal(formatOf('type=docker,dest=d.tar,oci-mediatypes=true', 'docker'), 'oci');
  assert.equal(formatOf('type=registry,oci-mediatypes=false', 'oci'), 'docker');
  assert.equal(formatOf('type=image,oci-mediatypes=true', 'docker'), 'oci');
});

test('image and registry outputs decide the stored format; one without the attribute follows it', () => {
  assert.equal(storedImageFormat(specs('type=image,oci-mediatypes=false')), 'docker');
  assert.equal(storedImageFormat(specs('type=registry,oci-mediatypes=false')), 'docker');
  // `--push` adds a registry output without the attribute: it pushes what the store holds.
  const withPush = specs('type=image,oci-mediatypes=false', 'type=registry');
  const stored = storedImageFormat(withPush);
  assert.equal(stored, 'docker');
  assert.equal(formatOf('type=registry', stored), 'docker');
  // Archive outputs never change the stored format.
  assert.equal(storedImageFormat(specs('type=oci,dest=o.tar,oci-mediatypes=false')), 'oci');
  assert.equal(storedImageFormat(specs('type=docker,dest=d.tar')), 'oci');
});

test('image and registry outputs that disagree are E_USAGE', () => {
  assert.throws(
    () => storedImageFormat(specs('type=image,oci-mediatypes=false', 'type=registry,oci-mediatypes=true')),
    { code: 'E_USAGE', message: /oci-mediatypes/ },
  );
  assert.equal(
    storedImageFormat(specs('type=image,oci-mediatypes=false', 'type=registry,oci-mediatypes=false')),
    'docker',
  );
});

test('--annotation is refused up front when an output (or the stored image) uses Docker media types', () => {
  const annotations = { 'org.example/k': 'v' };
  const check = (text: string[], a: Record<string, string> | undefined = annotations) => {
    const outputs = text.map(parseOutputSpec);
    checkAnnotationsFit(outputs, storedImageFormat(outputs), a);
  };
  check([]);
  check(['type=image,push=true', 'type=oci,dest=x.tar', 'type=docker,dest=y.tar']);
  check(['type=docker,dest=y.tar,oci-mediatypes=false'], annotations);
  check(['type=oci,dest=x.tar,oci-mediatypes=false'], {});
  assert.throws(() => check(['type=oci,dest=x.tar,oci-mediatypes=false']), { code: 'E_USAGE' });
  assert.throws(() => check(['type=image,oci-mediatypes=false']), { code: 'E_USAGE' });
  assert.throws(() => check(['type=registry,oci-mediatypes=false']), { code: 'E_USAGE' });
});
