import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createIgnoreMatcher,
  dockerfileIgnorePath,
  readIgnoreFile,
  selectIgnoreFile,
} from '../../../src/dockerfile/ignore/index.js';
import { isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

interface CompileCase {
  readonly pattern: string;
  readonly match_type: 'exactMatch' | 'prefixMatch' | 'suffixMatch' | 'regexpMatch';
  readonly regexp?: string;
}

const compileCases = (
  JSON.parse(readFileSync(join(conformanceDir(), 'patternmatcher', 'patternmatcher_cases.json'), 'utf8')) as {
    readonly compile_cases: { readonly cases: readonly CompileCase[] };
  }
).compile_cases.cases;

/** moby's reference behaviour of a compiled pattern, from its documented match type / regexp. */
function reference(c: CompileCase): (path: string) => boolean {
  switch (c.match_type) {
    case 'exactMatch':
      return (p) => p === c.pattern;
    case 'prefixMatch':
      return (p) => p.startsWith(c.pattern.slice(0, -2));
    case 'suffixMatch': {
      const suffix = c.pattern.slice(2);
      return (p) => p.endsWith(suffix) || (suffix.startsWith('/') && p === suffix.slice(1));
    }
    case 'regexpMatch': {
      const re = new RegExp(c.regexp!, 's');
      return (p) => re.test(p);
    }
  }
}

describe('pattern compilation agrees with moby’s compiled form (property)', () => {
  for (const c of compileCases) {
    it(`${c.pattern} (${c.match_type})`, () => {
      const [pattern] = createIgnoreMatcher([c.pattern]).patterns;
      const ref = reference(c);
      // Paths built from the pattern's own characters plus separators hit the interesting cases.
      const alphabet = Array.from(new Set([...c.pattern.replace(/[*?[\]\\^]/g, ''), '/', 'x', '.']));
      const pieces = fc.array(
        fc.oneof(fc.constantFrom(...alphabet), fc.constant(c.pattern.replace(/\*/g, ''))),
        {
          maxLength: 12,
        },
      );
      fc.assert(
        fc.property(pieces, (parts) => {
          const path = parts.join('');
          assert.equal(pattern!.test(path), ref(path), `path ${JSON.stringify(path)}`);
        }),
        { numRuns: 300 },
      );
    });
  }
});

/**
 * moby's parent list, computed independently of the matcher: Go's filepath.Dir (Clean of everything up
 * to the last `/`; node's posix.normalize plus dropping a trailing `/` is the same Clean for these
 * inputs), split at `/`, every leading run of components joined.
 */
function mobyParents(path: string): string[] {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return [];
  const normalized = posix.normalize(path.slice(0, slash + 1));
  const dir = normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
  if (dir === '.' || dir === './') return [];
  const parts = dir.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

describe('parent matching in one pass agrees with testing each parent (property)', () => {
  it('testParents(path) === some parent p with test(p), for generated patterns and paths', () => {
    const patternPiece = fc.constantFrom('a', 'b', '*', '?', '**', '/', '[ab]', '.', 'a*', '**/');
    const pathPiece = fc.constantFrom('a', 'b', 'ab', '/', '.', 'x');
    fc.assert(
      fc.property(
        fc.array(patternPiece, { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
        fc.array(pathPiece, { maxLength: 12 }).map((p) => p.join('')),
        (text, path) => {
          let pattern: ReturnType<typeof createIgnoreMatcher>['patterns'][number] | undefined;
          try {
            pattern = createIgnoreMatcher([text]).patterns[0];
          } catch {
            return; // a bad pattern is refused either way
          }
          if (pattern === undefined) return;
          const expected = mobyParents(path).some((p) => pattern.test(p));
          assert.equal(
            pattern.testParents(path),
            expected,
            `${JSON.stringify(text)} ~ ${JSON.stringify(path)}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('createIgnoreMatcher', () => {
  it('last applicable pattern wins, with exceptions re-including', () => {
    const m = createIgnoreMatcher(['*.md', '!README.md', 'docs']);
    assert.equal(m.matches('CHANGES.md'), true);
    assert.equal(m.matches('README.md'), false);
    assert.equal(m.matches('docs/README.md'), true);
    assert.equal(m.matches('src/a.ts'), false);
    assert.equal(m.exclusions, true);
  });

  it('a directory pattern ignores everything below it', () => {
    const m = createIgnoreMatcher(['node_modules', '/build/']);
    assert.equal(m.matches('node_modules/x/y.js'), true);
    assert.equal(
      m.matches('build/out.o'),
      false,
      'a leading / is not stripped by New(), only by readIgnoreFile',
    );
    const fromFile = createIgnoreMatcher(readIgnoreFile('/build/\n'));
    assert.equal(fromFile.matches('build/out.o'), true);
  });

  it('canSkipDirectory only when no exception could re-include', () => {
    assert.equal(createIgnoreMatcher(['vendor']).canSkipDirectory('vendor'), true);
    assert.equal(createIgnoreMatcher(['vendor']).canSkipDirectory('src'), false);
    assert.equal(createIgnoreMatcher(['vendor', '!vendor/keep']).canSkipDirectory('vendor'), false);
  });

  it('rejects bad patterns with E_IGNORE_PATTERN and a message naming the pattern', () => {
    for (const bad of ['[', 'a[', '\\', '[a-b-c]', '!', '  !  ']) {
      assert.throws(
        () => createIgnoreMatcher([bad]),
        (e: unknown) => isKilnError(e) && e.code === 'E_IGNORE_PATTERN',
        JSON.stringify(bad),
      );
    }
  });

  it('has no exponential blow-up on pathological patterns', () => {
    const pattern = `${'*a'.repeat(30)}b`;
    const path = 'a'.repeat(5000);
    assert.equal(createIgnoreMatcher([pattern]).matches(path), false);
    const dirs = `${'**/a'.repeat(30)}/b`;
    assert.equal(createIgnoreMatcher([dirs]).matches('a/'.repeat(2000)), false);
    assert.equal(createIgnoreMatcher([dirs]).matches(`${'a/'.repeat(40)}b`), true);
  });

  it('matches non-ASCII code points as single characters', () => {
    const m = createIgnoreMatcher(['?.txt', '[α-ω]x']);
    assert.equal(m.matches('é.txt'), true);
    assert.equal(m.matches('😀.txt'), true);
    assert.equal(m.matches('βx'), true);
    assert.equal(m.matches('ax'), false);
  });

  it('legacy single-parent semantics differ from full parent matching', () => {
    const m = createIgnoreMatcher(['**/b']);
    assert.equal(m.matchesOrParentMatches('b/c/d'), true, 'parent b matches **/b');
    assert.equal(m.matchesLegacy('b/c/d'), false, 'only the two-component parent b/c is tried');
    assert.equal(createIgnoreMatcher(['a/*']).matchesLegacy('a/b/c/d'), true);
    assert.equal(createIgnoreMatcher(['x/y']).matchesLegacy('x'), false);
  });
});

describe('readIgnoreFile', () => {
  it('handles CRLF, BOM, comments before trimming, and ! spacing', () => {
    const text = '\uFEFF# c\r\n  # not a comment\r\n! /abs/../x \r\n./a//b/\r\n\r\n';
    assert.deepEqual(readIgnoreFile(text), ['# not a comment', '!x', 'a/b']);
  });
  it('keeps a lone / and trims the ! of an empty exception', () => {
    assert.deepEqual(readIgnoreFile('/\n!\n'), ['/', '!']);
  });
});

describe('selectIgnoreFile', () => {
  it('prefers <Dockerfile>.dockerignore over the context root .dockerignore', () => {
    assert.deepEqual(selectIgnoreFile({ dockerfileSpecific: 'a\n', contextRoot: 'b\n' }), {
      source: 'dockerfile',
      patterns: ['a'],
    });
    assert.deepEqual(selectIgnoreFile({ contextRoot: 'b\n' }), { source: 'context', patterns: ['b'] });
    assert.deepEqual(selectIgnoreFile({}), { source: 'none', patterns: [] });
    assert.deepEqual(selectIgnoreFile({ dockerfileSpecific: '', contextRoot: 'b' }), {
      source: 'dockerfile',
      patterns: [],
    });
  });
  it('names the Dockerfile-specific file beside the Dockerfile', () => {
    assert.equal(dockerfileIgnorePath('build/app.Dockerfile'), 'build/app.Dockerfile.dockerignore');
    assert.equal(dockerfileIgnorePath('Dockerfile'), 'Dockerfile.dockerignore');
  });
});
