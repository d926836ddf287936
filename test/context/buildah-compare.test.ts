/**
 * Cross-check of COPY source semantics against buildah (when installed and running as root): the same
 * context and COPY lines are built `FROM scratch`, and the files in buildah's layer are compared with
 * where kiln's selection says each file lands. buildah 1.28 lacks --parents/--exclude, so those are
 * covered by the rule-based tests in sources.test.ts instead.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { test } from 'node:test';
import { listSelection, openBuildContext, resolveSources } from '../../src/context/index.js';
import { collect, makeTree, withTempDir } from './fixtures.js';

function buildahUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('buildah', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const COPIES: readonly (readonly [string, string])[] = [
  ['hom*', '/w/'],
  ['x', '/d/'],
  ['*/a.txt', '/s/'],
  ['f?', '/q/'],
  ['link-dir', '/l/'],
  ['abs-link', '/a/'],
  ['.', '/all/'],
];

test('COPY sources land where buildah puts them', {
  skip: !buildahUsable() && 'needs root and buildah',
}, async () => {
  await withTempDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    await makeTree(ctx, {
      'home.txt': 'a',
      'homedir/a.txt': 'b',
      'x/a.txt': 'c',
      'x/y/b.txt': 'd',
      f1: '1',
      f22: '22',
      'ignored.log': 'no',
      'etc/passwd': 'ctx passwd',
      'link-dir': { link: 'x/y' },
      'abs-link': { link: '/etc/passwd' },
      '.dockerignore': '*.log\n',
    });
    const dockerfile = `FROM scratch\n${COPIES.map(([src, dst]) => `COPY ${src} ${dst}`).join('\n')}\n`;
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    const store = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'run')];
    execFileSync('buildah', [...store, 'build', '-q', '-t', 'localhost/kiln-ctx-test:1', ctx], {
      stdio: 'ignore',
      timeout: 60_000,
    });
    const out = join(dir, 'out');
    execFileSync('buildah', [...store, 'push', '-q', 'localhost/kiln-ctx-test:1', `oci:${out}:latest`], {
      stdio: 'ignore',
      timeout: 60_000,
    });
    const fromBuildah = new Set<string>();
    for (const blob of readdirSync(join(out, 'blobs', 'sha256'))) {
      let listing: string;
      try {
        listing = execFileSync('tar', ['tzf', join(out, 'blobs', 'sha256', blob)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        continue; // JSON blobs
      }
      for (const line of listing.split('\n')) if (line !== '' && !line.endsWith('/')) fromBuildah.add(line);
    }

    const context = await openBuildContext({ source: { kind: 'dir', path: ctx } });
    const fromKiln = new Set<string>();
    for (const [src, dst] of COPIES) {
      for (const entry of await collect(listSelection(await resolveSources(context, [src])))) {
        if (entry.type === 'directory') continue;
        fromKiln.add(posix.join(dst, entry.target).slice(1));
      }
    }
    assert.ok(
      fromKiln.has('a/abs-link') && fromKiln.has('w/a.txt') && fromKiln.has('l/b.txt'),
      [...fromKiln].join(),
    );
    assert.ok(!fromKiln.has('all/ignored.log'));
    assert.deepEqual([...fromKiln].sort(), [...fromBuildah].sort());
  });
});
