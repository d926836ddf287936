import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../../src/oci/reference.js';
import { formatImageRef, imageRefFrom, manifestReference } from '../../src/registry/reference.js';

test('parsed references map to registry/repository/tag/digest', () => {
  const hub = imageRefFrom(parseReference('alpine'));
  assert.deepEqual(hub, { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' });
  assert.equal(manifestReference(hub), 'latest');
  const digest = `sha256:${'a'.repeat(64)}`;
  const pinned = imageRefFrom(parseReference(`localhost:5000/team/app:1@${digest}`));
  assert.deepEqual(pinned, { registry: 'localhost:5000', repository: 'team/app', tag: '1', digest });
  assert.equal(manifestReference(pinned), digest, 'the digest wins over the tag');
  assert.equal(formatImageRef(pinned), `localhost:5000/team/app:1@${digest}`);
});
