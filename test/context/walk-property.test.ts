import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openBuildContext, walkContext } from '../../src/context/index.js';
import { createIgnoreMatcher } from '../../src/dockerfile/ignore/index.js';
import { collect, makeTree, withTempDir } from './fixtures.js';

const NAMES = ['a', 'b', 'a.txt', 'b.log', 'c'];
const PATTERNS = ['a', '*.log', 'a/*', '**/c', 'b/a.txt', '*/*/a', 'c*', '**/*.txt', '?'];

/** Random small trees: each path a sequence of names; the last component is a file. */
const treeArb = fc.uniqueArray(fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }), {
  minLength: 1,
  maxLength: 12,
  selector: (parts) => parts.join('/'),
});

test('walker = every path whose ancestors and itself are not ignored (patterns without exceptions)', async () => {
  await fc.assert(
    fc.asyncProperty(treeArb, fc.subarray(PATTERNS, { maxLength: 3 }), async (paths, patterns) => {
      await withTempDir(async (dir) => {
        // Keep only paths that do not use a file as a directory.
        const files = new Set<string>();
        const dirs = new Set<string>();
        for (const parts of paths) {
          const prefixes = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
          const path = parts.join('/');
          if (prefixes.some((p) => files.has(p)) || dirs.has(path)) continue;
          for (const p of prefixes) dirs.add(p);
          files.add(path);
        }
        const spec: Record<string, string> = { Dockerfile: 'FROM scratch\n' };
        for (const f of files) spec[`t/${f}`] = f;
        await makeTree(dir, spec);
        const context = await openBuildContext({
          source: { kind: 'dir', path: `${dir}/t` },
          dockerfilePath: `${dir}/Dockerfile`,
          ignorePatterns: patterns,
        });
        const matcher = createIgnoreMatcher(patterns);
        const expected = [...files, ...dirs].filter((p) => !matcher.matches(p)).sort();
        const actual = (await collect(walkContext(context))).map((e) => e.path).sort();
        assert.deepEqual(actual, expected);
      });
    }),
    { numRuns: 60 },
  );
});
