import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBuildContext, walkContext } from '../../src/context/index.js';
import { collect, makeTree, type TreeSpec, withTempDir } from './fixtures.js';

async function listed(spec: TreeSpec, ignore: string | undefined, extra: TreeSpec = {}): Promise<string[]> {
  return withTempDir(async (dir) => {
    await makeTree(dir, { Dockerfile: 'FROM scratch\n', ...spec, ...extra });
    if (ignore !== undefined) await makeTree(dir, { '.dockerignore': ignore });
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    try {
      return (await collect(walkContext(context))).map((e) =>
        e.type === 'directory' ? `${e.path}/` : e.path,
      );
    } finally {
      await context.close();
    }
  });
}

const TREE: TreeSpec = {
  'a.txt': 'a',
  'b.log': 'b',
  'src/main.go': 'm',
  'src/main_test.go': 't',
  'src/vendor/lib.go': 'l',
  'node_modules/x/index.js': 'x',
  'node_modules/keep.js': 'k',
  'docs/readme.md': 'r',
};

test('no ignore file: everything, depth first, names byte-sorted', async () => {
  assert.deepEqual(await listed({ 'a-c': 'x', 'a/b': 'y', B: 'z', é: 'e', z: 'z' }, undefined), [
    'B',
    'Dockerfile',
    'a/',
    'a/b',
    'a-c',
    'z',
    'é',
  ]);
});

test('plain patterns and parent-directory matching', async () => {
  assert.deepEqual(await listed(TREE, '*.log\nnode_modules\nsrc/vendor\n'), [
    '.dockerignore',
    'Dockerfile',
    'a.txt',
    'docs/',
    'docs/readme.md',
    'src/',
    'src/main.go',
    'src/main_test.go',
  ]);
});

test('! exception re-includes a file inside an ignored directory (the directory is kept)', async () => {
  assert.deepEqual(await listed(TREE, 'node_modules\n!node_modules/keep.js\n'), [
    '.dockerignore',
    'Dockerfile',
    'a.txt',
    'b.log',
    'docs/',
    'docs/readme.md',
    'node_modules/',
    'node_modules/keep.js',
    'src/',
    'src/main.go',
    'src/main_test.go',
    'src/vendor/',
    'src/vendor/lib.go',
  ]);
});

test('exception deep under an ignored directory keeps the intermediate directories', async () => {
  const out = await listed({ 'd/e/f/keep': '1', 'd/e/f/drop': '2', 'd/other': '3' }, 'd\n!d/e/f/keep\n');
  assert.deepEqual(out, ['.dockerignore', 'Dockerfile', 'd/', 'd/e/', 'd/e/f/', 'd/e/f/keep']);
});

test('**-exception that does not start with the directory does not reach inside it (fsutil quirk)', async () => {
  const out = await listed({ 'd/keep.txt': '1', 'keep.txt': '2' }, 'd\n!**/keep.txt\n');
  assert.deepEqual(out, ['.dockerignore', 'Dockerfile', 'keep.txt']);
});

test('ignore everything then re-include one directory', async () => {
  const out = await listed(TREE, '*\n!src\n');
  assert.deepEqual(out, ['src/', 'src/main.go', 'src/main_test.go', 'src/vendor/', 'src/vendor/lib.go']);
});

test('**/ patterns and exceptions after them', async () => {
  const out = await listed(TREE, '**/*.go\n!src/main.go\n');
  assert.deepEqual(out, [
    '.dockerignore',
    'Dockerfile',
    'a.txt',
    'b.log',
    'docs/',
    'docs/readme.md',
    'node_modules/',
    'node_modules/keep.js',
    'node_modules/x/',
    'node_modules/x/index.js',
    'src/',
    'src/main.go',
    'src/vendor/',
  ]);
});

test('Dockerfile and .dockerignore may be ignored (then COPY cannot see them)', async () => {
  const out = await listed({ 'a.txt': 'a' }, 'Dockerfile\n.dockerignore\n');
  assert.deepEqual(out, ['a.txt']);
});

test('entries carry metadata; symlinks are listed, not followed', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, {
      Dockerfile: 'FROM scratch',
      'bin/tool': { text: '#!/bin/sh\n', mode: 0o4755 },
      link: { link: '/etc/passwd' },
    });
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    const entries = await collect(walkContext(context));
    const tool = entries.find((e) => e.path === 'bin/tool')!;
    assert.equal(tool.type, 'file');
    assert.equal(tool.mode, 0o4755);
    assert.equal(tool.size, 10);
    assert.equal(tool.linkTarget, '');
    const link = entries.find((e) => e.path === 'link')!;
    assert.equal(link.type, 'symlink');
    assert.equal(link.linkTarget, '/etc/passwd');
    assert.equal(link.size, 0);
  });
});
