import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BuildContext,
  listSelection,
  openBuildContext,
  type ResolveSourcesOptions,
  resolveSources,
} from '../../src/context/index.js';
import { isKilnError } from '../../src/errors.js';
import { collect, makeTree, type TreeSpec, withTempDir } from './fixtures.js';

const TREE: TreeSpec = {
  Dockerfile: 'FROM scratch\n',
  'home.txt': 'h',
  'homework.txt': 'hw',
  'homedir/a.txt': 'a',
  'homedir/b.md': 'b',
  'x/a.txt': 'xa',
  'x/y/a.txt': 'xya',
  'x/y/b.txt': 'xyb',
  'y/a.txt': 'ya',
  f1: '1',
  f2: '2',
  f10: '10',
  'dir/sub/deep.txt': 'd',
  'dir/top.txt': 't',
  'ignored/file': 'i',
  'star*name': 's',
};

async function withContext<T>(
  spec: TreeSpec,
  fn: (context: BuildContext) => Promise<T>,
  ignore = 'ignored\n',
): Promise<T> {
  return withTempDir(async (dir) => {
    await makeTree(dir, { ...spec, '.dockerignore': ignore });
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    try {
      return await fn(context);
    } finally {
      await context.close();
    }
  });
}

/** `target<-resolvedPath` per entry of the selection (directories with a trailing slash). */
async function copied(
  context: BuildContext,
  patterns: string[],
  options: ResolveSourcesOptions = {},
): Promise<string[]> {
  const selection = await resolveSources(context, patterns, options);
  return (await collect(listSelection(selection))).map(
    (e) => `${e.target}${e.type === 'directory' ? '/' : ''}<-${e.path}`,
  );
}

function code(expected: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isKilnError(error), String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

test('a single file lands under its base name; a directory copies its contents', async () => {
  await withContext(TREE, async (context) => {
    assert.deepEqual(await copied(context, ['x/a.txt']), ['a.txt<-x/a.txt']);
    assert.deepEqual(await copied(context, ['dir']), [
      '/<-dir',
      'sub/<-dir/sub',
      'sub/deep.txt<-dir/sub/deep.txt',
      'top.txt<-dir/top.txt',
    ]);
    assert.deepEqual(await copied(context, ['./dir/']), await copied(context, ['dir']));
  });
});

test('wildcards: *, ?, [..] per component; matched directories are copied whole; walk order', async () => {
  await withContext(TREE, async (context) => {
    assert.deepEqual(await copied(context, ['hom*']), [
      'home.txt<-home.txt',
      '/<-homedir',
      'a.txt<-homedir/a.txt',
      'b.md<-homedir/b.md',
      'homework.txt<-homework.txt',
    ]);
    assert.deepEqual(await copied(context, ['f?']), ['f1<-f1', 'f2<-f2']);
    assert.deepEqual(await copied(context, ['f[0-9]*']), ['f1<-f1', 'f10<-f10', 'f2<-f2']);
    assert.deepEqual(await copied(context, ['*/a.txt']), [
      'a.txt<-homedir/a.txt',
      'a.txt<-x/a.txt',
      'a.txt<-y/a.txt',
    ]);
    assert.deepEqual(await copied(context, ['x/*/b.txt']), ['b.txt<-x/y/b.txt']);
    assert.deepEqual(await copied(context, ['star[*]name']), ['star*name<-star*name']);
    const selection = await resolveSources(context, ['f?']);
    assert.ok(selection.sources.every((s) => s.wildcard));
  });
});

test('a wildcard that matches nothing is allowed by default (BuildKit), refused on request', async () => {
  await withContext(TREE, async (context) => {
    assert.deepEqual(await copied(context, ['*.nomatch']), []);
    await assert.rejects(
      resolveSources(context, ['*.nomatch'], { allowEmptyWildcard: false }),
      code('E_CONTEXT'),
    );
  });
});

test('a missing literal source is E_CONTEXT naming the pattern; ignored files are missing', async () => {
  await withContext(TREE, async (context) => {
    await assert.rejects(resolveSources(context, ['nope.txt']), (error) => {
      assert.ok(isKilnError(error));
      assert.equal(error.code, 'E_CONTEXT');
      assert.match(error.message, /"nope\.txt"/);
      return true;
    });
    await assert.rejects(resolveSources(context, ['ignored/file']), code('E_CONTEXT'));
    await assert.rejects(resolveSources(context, ['ignored']), code('E_CONTEXT'));
    assert.deepEqual(await copied(context, ['ign*']), []);
  });
});

test('.dockerignore also filters the contents of a copied directory', async () => {
  await withContext(
    TREE,
    async (context) => {
      assert.deepEqual(await copied(context, ['.']).then((l) => l.filter((x) => x.startsWith('dir'))), [
        'dir/<-dir',
        'dir/top.txt<-dir/top.txt',
      ]);
    },
    'ignored\ndir/sub\n',
  );
});

test('sources escaping with .. are E_PATH_ESCAPE; a leading / means the context root', async () => {
  await withContext(TREE, async (context) => {
    await assert.rejects(resolveSources(context, ['../etc/passwd']), code('E_PATH_ESCAPE'));
    await assert.rejects(resolveSources(context, ['x/../../secret']), code('E_PATH_ESCAPE'));
    assert.deepEqual(await copied(context, ['x/../home.txt']), ['home.txt<-home.txt']);
    assert.deepEqual(await copied(context, ['/home.txt']), ['home.txt<-home.txt']);
  });
});

test('--parents keeps the path from the context root, or from the /./ pivot', async () => {
  await withContext(TREE, async (context) => {
    assert.deepEqual(await copied(context, ['x/a.txt', 'y/a.txt'], { parents: true }), [
      'x/a.txt<-x/a.txt',
      'y/a.txt<-y/a.txt',
    ]);
    assert.deepEqual(await copied(context, ['./x/./y/*.txt'], { parents: true }), [
      'y/a.txt<-x/y/a.txt',
      'y/b.txt<-x/y/b.txt',
    ]);
    assert.deepEqual(await copied(context, ['dir/sub'], { parents: true }), [
      'dir/sub/<-dir/sub',
      'dir/sub/deep.txt<-dir/sub/deep.txt',
    ]);
    assert.deepEqual(await copied(context, ['*/a.txt'], { parents: true }), [
      'homedir/a.txt<-homedir/a.txt',
      'x/a.txt<-x/a.txt',
      'y/a.txt<-y/a.txt',
    ]);
  });
});

test('--exclude drops wildcard matches and paths below directory sources', async () => {
  await withContext(TREE, async (context) => {
    assert.deepEqual(await copied(context, ['hom*'], { excludes: ['*.txt'] }), [
      '/<-homedir',
      'b.md<-homedir/b.md',
    ]);
    assert.deepEqual(await copied(context, ['x'], { excludes: ['y'] }), ['/<-x', 'a.txt<-x/a.txt']);
    assert.deepEqual(await copied(context, ['x'], { excludes: ['**/a.txt', '!y/a.txt'] }), [
      '/<-x',
      'y/<-x/y',
      'y/a.txt<-x/y/a.txt',
      'y/b.txt<-x/y/b.txt',
    ]);
    await assert.rejects(resolveSources(context, ['x'], { excludes: ['[z-'] }), code('E_IGNORE_PATTERN'));
  });
});

const LINKS: TreeSpec = {
  Dockerfile: 'FROM scratch\n',
  'real/file.txt': 'inside',
  'etc/passwd': 'context passwd',
  'link-to-file': { link: 'real/file.txt' },
  'link-to-dir': { link: 'real' },
  'abs-escape': { link: '/etc/passwd' },
  'rel-escape': { link: '../../../../../../etc/passwd' },
  'dir-escape': { link: '../../../../../../etc' },
  'abs-dir-escape': { link: '/etc' },
  dangling: { link: '/nonexistent-kiln-target' },
  'loop-a': { link: 'loop-b' },
  'loop-b': { link: 'loop-a' },
  'to-ignored': { link: 'hidden/secret' },
  'hidden/secret': 'ignored content',
  'sub/link-inside': { link: '../real/file.txt' },
};

test('symlink sources are followed inside the context', async () => {
  await withContext(
    LINKS,
    async (context) => {
      assert.deepEqual(await copied(context, ['link-to-file']), ['link-to-file<-real/file.txt']);
      assert.deepEqual(await copied(context, ['link-to-dir']), ['/<-real', 'file.txt<-real/file.txt']);
      assert.deepEqual(await copied(context, ['link-to-dir/file.txt']), ['file.txt<-real/file.txt']);
      assert.deepEqual(await copied(context, ['link-to-file'], { followSymlinks: false }), [
        'link-to-file<-link-to-file',
      ]);
    },
    'hidden\n',
  );
});

test('symlink escape: absolute and ../ targets resolve as if the context were / (never the host)', async () => {
  await withContext(
    LINKS,
    async (context) => {
      // The host /etc/passwd is never read: these resolve to the context's own etc/passwd.
      assert.deepEqual(await copied(context, ['abs-escape']), ['abs-escape<-etc/passwd']);
      assert.deepEqual(await copied(context, ['rel-escape']), ['rel-escape<-etc/passwd']);
      assert.deepEqual(await copied(context, ['dir-escape/passwd']), ['passwd<-etc/passwd']);
      assert.deepEqual(await copied(context, ['abs-dir-escape']), ['/<-etc', 'passwd<-etc/passwd']);
      for (const entry of await collect(
        listSelection(await resolveSources(context, ['abs-escape', 'rel-escape'])),
      )) {
        assert.ok(entry.sourcePath.startsWith(`${context.root}/`), entry.sourcePath);
      }
    },
    'hidden\n',
  );
});

test('symlink escape: targets missing inside the context are E_CONTEXT, loops are E_CONTEXT', async () => {
  await withContext(
    LINKS,
    async (context) => {
      await assert.rejects(resolveSources(context, ['dangling']), code('E_CONTEXT'));
      await assert.rejects(resolveSources(context, ['loop-a']), code('E_CONTEXT'));
      // a link into an ignored path does not expose it
      await assert.rejects(resolveSources(context, ['to-ignored']), code('E_CONTEXT'));
    },
    'hidden\n',
  );
});

test('symlink escape: without any context copy of the target, an escaping link is missing', async () => {
  await withContext(
    { Dockerfile: 'FROM scratch\n', esc: { link: '/etc/hostname' }, up: { link: '../x' } },
    async (context) => {
      await assert.rejects(resolveSources(context, ['esc']), code('E_CONTEXT'));
      await assert.rejects(resolveSources(context, ['up']), code('E_CONTEXT'));
    },
  );
});

test('symlinks inside a copied directory are copied as links, never followed', async () => {
  await withContext(
    LINKS,
    async (context) => {
      const entries = await collect(listSelection(await resolveSources(context, ['sub'])));
      assert.deepEqual(
        entries.map((e) => [e.target, e.type, e.linkTarget]),
        [
          ['', 'directory', ''],
          ['link-inside', 'symlink', '../real/file.txt'],
        ],
      );
    },
    'hidden\n',
  );
});
