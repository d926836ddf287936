import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOutputSpec } from '../../src/export/output-spec.js';

test('--output shorthands: a path is type=local, - is a tar on stdout', () => {
  assert.deepEqual(parseOutputSpec('out/dir'), { kind: 'local', dest: 'out/dir' });
  assert.deepEqual(parseOutputSpec('-'), { kind: 'tar', dest: '-' });
});

test('--output type=… forms as docker buildx reads them', () => {
  assert.deepEqual(parseOutputSpec('type=local,dest=/tmp/x'), { kind: 'local', dest: '/tmp/x' });
  assert.deepEqual(parseOutputSpec('dest=/tmp/x'), { kind: 'local', dest: '/tmp/x' });
  assert.deepEqual(parseOutputSpec('type=tar,dest=fs.tar'), { kind: 'tar', dest: 'fs.tar' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=img.tar,name=a/b:1'), {
    kind: 'oci',
    dest: 'img.tar',
    names: ['a/b:1'],
  });
  assert.deepEqual(parseOutputSpec('type=docker,dest=-'), { kind: 'docker', dest: '-', names: [] });
  assert.deepEqual(parseOutputSpec('type=registry'), { kind: 'registry', names: [] });
  assert.deepEqual(parseOutputSpec('type=image,name=x:1,push=true'), {
    kind: 'image',
    names: ['x:1'],
    push: true,
  });
  assert.deepEqual(parseOutputSpec('type=image'), { kind: 'image', names: [], push: false });
  assert.deepEqual(parseOutputSpec('type=registry,compression=zstd'), {
    kind: 'registry',
    names: [],
    compression: 'zstd',
  });
  assert.deepEqual(parseOutputSpec('type=image,push=true,compression=uncompressed'), {
    kind: 'image',
    names: [],
    push: true,
    compression: 'none',
  });
});

test('--output errors are E_USAGE', () => {
  for (const bad of [
    '',
    'type=local',
    'type=tar',
    'type=oci',
    'type=nope,dest=x',
    'type=image,push=maybe',
    'type=local,dest',
    'type=registry,compression=lz4',
  ]) {
    assert.throws(() => parseOutputSpec(bad), { code: 'E_USAGE' }, bad);
  }
});

test('--output oci-mediatypes=true|false on image, registry, oci and docker; unset stays unset', () => {
  assert.deepEqual(parseOutputSpec('type=image,name=x:1,oci-mediatypes=false'), {
    kind: 'image',
    names: ['x:1'],
    push: false,
    ociMediaTypes: false,
  });
  assert.deepEqual(parseOutputSpec('type=registry,OCI-MediaTypes=true,compression=zstd'), {
    kind: 'registry',
    names: [],
    compression: 'zstd',
    ociMediaTypes: true,
  });
  assert.deepEqual(parseOutputSpec('type=oci,dest=o.tar,oci-mediatypes=false'), {
    kind: 'oci',
    dest: 'o.tar',
    names: [],
    ociMediaTypes: false,
  });
  assert.deepEqual(parseOutputSpec('type=docker,dest=d.tar,oci-mediatypes=true'), {
    kind: 'docker',
    dest: 'd.tar',
    names: [],
    ociMediaTypes: true,
  });
  assert.equal('ociMediaTypes' in parseOutputSpec('type=registry'), false);
  assert.throws(() => parseOutputSpec('type=image,oci-mediatypes=no'), { code: 'E_USAGE' });
});
