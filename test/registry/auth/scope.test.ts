import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeScopes, repositoryScope, scopesCover } from '../../../src/registry/auth/scope.js';

test('repositoryScope sorts actions', () => {
  assert.equal(repositoryScope('a/b', ['push', 'pull']), 'repository:a/b:pull,push');
});

test('mergeScopes unites actions per resource and sorts', () => {
  assert.deepEqual(
    mergeScopes(['repository:b:pull', 'repository:a:push', 'repository:a:pull', 'repository:b:pull']),
    ['repository:a:pull,push', 'repository:b:pull'],
  );
  assert.deepEqual(mergeScopes(['registry:catalog:*', 'nonsense']), ['registry:catalog:*']);
});

test('scopesCover', () => {
  assert.ok(scopesCover(['repository:a:pull,push'], ['repository:a:pull']));
  assert.ok(!scopesCover(['repository:a:pull'], ['repository:a:push']));
  assert.ok(!scopesCover(['repository:a:pull'], ['repository:b:pull']));
  assert.ok(scopesCover(['repository:a:pull'], []));
});
