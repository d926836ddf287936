import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileGoPattern, containsWildcards } from '../../src/context/go-match.js';
import { conformanceDir } from '../helpers/paths.js';

interface MatchCase {
  readonly pattern: string;
  readonly path: string;
  readonly match: boolean;
  readonly expected_error?: string;
}

const cases = (
  JSON.parse(readFileSync(join(conformanceDir(), 'patternmatcher', 'patternmatcher_cases.json'), 'utf8')) as {
    filepath_match_cases: { cases: MatchCase[] };
  }
).filepath_match_cases.cases;

test('filepath.Match conformance cases (same depth, so no parent-dir matching applies)', () => {
  let checked = 0;
  for (const c of cases) {
    const compiled = compileGoPattern(c.pattern);
    if (c.expected_error !== undefined) {
      assert.equal(compiled, undefined, `${c.pattern} must be a bad pattern`);
      checked++;
      continue;
    }
    if (c.pattern.split('/').length !== c.path.split('/').length) continue;
    assert.ok(compiled, c.pattern);
    assert.equal(compiled.test(c.path), c.match, `${c.pattern} vs ${c.path}`);
    checked++;
  }
  assert.ok(checked > 40, `checked ${checked}`);
});

test('** is two stars in COPY wildcards, not any-directories', () => {
  assert.equal(compileGoPattern('**/x')!.test('a/x'), true);
  assert.equal(compileGoPattern('**/x')!.test('a/b/x'), false);
  assert.equal(compileGoPattern('**')!.test('a/b'), false);
});

test('containsWildcards skips escaped characters', () => {
  assert.equal(containsWildcards('a\\*b'), false);
  assert.equal(containsWildcards('a*b'), true);
  assert.equal(containsWildcards('f[0-9]'), true);
  assert.equal(containsWildcards('plain.txt'), false);
});
