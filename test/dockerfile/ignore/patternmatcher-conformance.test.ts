import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createIgnoreMatcher,
  legacyMatches,
  type MatchInfo,
  readIgnoreFile,
} from '../../../src/dockerfile/ignore/index.js';
import { isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

interface SingleCase {
  readonly pattern: string;
  readonly path: string;
  readonly match: boolean;
  readonly expected_error?: string;
  readonly platform?: string;
}
interface MultiCase {
  readonly patterns: readonly string[];
  readonly path: string;
  readonly match: boolean;
}
interface FunctionCase {
  readonly test: string;
  readonly patterns: readonly string[];
  readonly path: string;
  readonly match?: boolean;
  readonly expect_error?: boolean;
  readonly error_text?: string;
  readonly new_succeeds?: boolean;
}
interface NewCase {
  readonly test: string;
  readonly patterns: readonly string[];
  readonly expected_pattern_count?: number;
  readonly expected_exclusions?: boolean;
  readonly expect_error?: boolean;
}
interface ReadAllCase {
  readonly content: string | null;
  readonly expected: readonly string[];
}
interface Cases {
  readonly matches_cases: { readonly cases: readonly SingleCase[] };
  readonly multi_pattern_cases: { readonly cases: readonly MultiCase[] };
  readonly filepath_match_cases: { readonly cases: readonly SingleCase[] };
  readonly single_function_cases: { readonly cases: readonly FunctionCase[] };
  readonly new_pattern_list_cases: { readonly cases: readonly NewCase[] };
  readonly ignorefile_readall_cases: { readonly cases: readonly ReadAllCase[] };
}

const cases = JSON.parse(
  readFileSync(join(conformanceDir(), 'patternmatcher', 'patternmatcher_cases.json'), 'utf8'),
) as Cases;

const isIgnorePatternError = (err: unknown): boolean => isKilnError(err) && err.code === 'E_IGNORE_PATTERN';

/** moby's MatchesUsingParentResults driven by a walk from the top: each parent's info feeds its child. */
function walkWithParentResults(patterns: readonly string[], path: string): boolean {
  const matcher = createIgnoreMatcher(patterns);
  const parts = path.split('/');
  let info: MatchInfo | undefined;
  let matched = false;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (prefix === '' && i < parts.length) continue;
    const result = matcher.matchesUsingParentResults(prefix, info);
    matched = result.matched;
    info = result.info;
  }
  return matched;
}

function checkAllForms(patterns: readonly string[], path: string, expected: boolean): void {
  const matcher = createIgnoreMatcher(patterns);
  const where = `${JSON.stringify(patterns)} ~ ${JSON.stringify(path)}`;
  assert.equal(matcher.matches(path), expected, `matches ${where}`);
  assert.equal(matcher.matchesOrParentMatches(path), expected, `matchesOrParentMatches ${where}`);
  assert.equal(matcher.matchesUsingParentResults(path).matched, expected, `no parent info ${where}`);
  assert.equal(walkWithParentResults(patterns, path), expected, `walk ${where}`);
}

describe('patternmatcher conformance: TestMatches', () => {
  for (const c of cases.matches_cases.cases) {
    it(`${c.pattern} ~ ${c.path} → ${c.match}`, () => checkAllForms([c.pattern], c.path, c.match));
  }
});

describe('patternmatcher conformance: multi-pattern', () => {
  for (const c of cases.multi_pattern_cases.cases) {
    it(`${c.patterns.join(', ')} ~ ${c.path} → ${c.match}`, () => checkAllForms(c.patterns, c.path, c.match));
  }
});

describe('patternmatcher conformance: filepath.Match cases via Matches()', () => {
  for (const c of cases.filepath_match_cases.cases) {
    it(`${c.pattern} ~ ${c.path} → ${c.expected_error ?? c.match}`, () => {
      if (c.expected_error !== undefined) {
        assert.throws(() => legacyMatches(c.path, [c.pattern]), isIgnorePatternError);
        assert.throws(() => createIgnoreMatcher([c.pattern]), isIgnorePatternError);
        return;
      }
      assert.equal(legacyMatches(c.path, [c.pattern]), c.match);
    });
  }
});

describe('patternmatcher conformance: single functions', () => {
  for (const c of cases.single_function_cases.cases) {
    it(c.test, () => {
      if (c.new_succeeds === true) {
        const matcher = createIgnoreMatcher(c.patterns);
        // Fails on every use, never crashes differently on a repeated call.
        assert.throws(() => matcher.matchesOrParentMatches(c.path), isIgnorePatternError);
        assert.throws(() => matcher.matchesOrParentMatches(c.path), isIgnorePatternError);
        return;
      }
      if (c.expect_error === true) {
        assert.throws(
          () => legacyMatches(c.path, c.patterns),
          (err: unknown) =>
            isIgnorePatternError(err) &&
            (c.error_text === undefined || (err as Error).message === c.error_text),
        );
        return;
      }
      assert.equal(legacyMatches(c.path, c.patterns), c.match);
    });
  }
});

describe('patternmatcher conformance: New() normalisation', () => {
  for (const c of cases.new_pattern_list_cases.cases) {
    it(c.test, () => {
      if (c.expect_error === true) {
        assert.throws(() => createIgnoreMatcher(c.patterns), isIgnorePatternError);
        return;
      }
      const matcher = createIgnoreMatcher(c.patterns);
      if (c.expected_pattern_count !== undefined)
        assert.equal(matcher.patterns.length, c.expected_pattern_count);
      if (c.expected_exclusions !== undefined) assert.equal(matcher.exclusions, c.expected_exclusions);
    });
  }
});

describe('patternmatcher conformance: ignorefile.ReadAll', () => {
  cases.ignorefile_readall_cases.cases.forEach((c, i) => {
    it(`case ${i}`, () => {
      assert.deepEqual(readIgnoreFile(c.content ?? undefined), c.expected);
    });
  });
});
