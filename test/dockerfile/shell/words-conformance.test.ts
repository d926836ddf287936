// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * BuildKit's wordsTest (TestShellParser4Words): the raw data file and its JSON extract.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { envFromList, processWords } from '../../../src/dockerfile/shell/index.js';
import { conformanceDir } from '../../helpers/paths.js';

const RAW_FILE = join(conformanceDir(), 'buildkit', 'frontend', 'dockerfile', 'shell', 'wordsTest');
const JSON_FILE = join(conformanceDir(), 'buildkit', 'json', 'shell_wordsTest.json');

interface WordsCase {
  readonly line: number;
  readonly input: string;
  /** The env entries (`k=v`) in force, in order. */
  readonly env: readonly string[];
  /** `['error']` means processWords must fail, as upstream compares it. */
  readonly expected: readonly string[];
}

/** Parses the raw file the way the upstream harness does. */
function readRawCases(): WordsCase[] {
  const cases: WordsCase[] = [];
  const env: string[] = [];
  const lines = readFileSync(RAW_FILE, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      env.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const parts = line.split('|');
    assert.equal(parts.length, 2, `line ${index + 1} must have exactly one |`);
    const [left, right] = parts as [string, string];
    cases.push({
      line: index + 1,
      input: left.trim(),
      env: [...env],
      expected: right.replace(/^ +/, '').split(','),
    });
  });
  return cases;
}

/** processWords, with a failure turned into `['error']` like the upstream harness. */
function wordsOrError(input: string, env: readonly string[]): readonly string[] {
  try {
    return processWords(input, envFromList(env));
  } catch {
    return ['error'];
  }
}

/**
 * Lines of the shared raw file whose expectations need variables no ENV line of that file defines:
 * the copy lacks upstream's `ENV hi=hi` and `ENV leading=  ab c` lines (lines 2 and 3 even expect
 * different results for the same input and env). They are run as `todo` with the file's own env, and
 * must pass once the missing entries (taken from the JSON extract's env) are restored.
 */
const RAW_LINES_MISSING_ENV: ReadonlySet<number> = new Set([3, 7, 8, 9]);

describe('wordsTest (raw file)', () => {
  const cases = readRawCases();
  const upstreamEnv = (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as JsonFile).cases.at(-1)?.env ?? [];
  it('has cases that depend on ENV lines and an error case', () => {
    assert.ok(cases.length >= 10);
    assert.ok(cases.some((c) => c.env.length > 0));
    assert.ok(cases.some((c) => c.expected[0] === 'error'));
  });
  it('still has the data defect the todo list works around (remove the list when this fails)', () => {
    const [line2, line3] = [cases.find((c) => c.line === 2), cases.find((c) => c.line === 3)];
    assert.ok(line2 !== undefined && line3 !== undefined);
    assert.equal(line2.input, line3.input);
    assert.deepEqual(line2.env, line3.env);
    assert.notDeepEqual(line2.expected, line3.expected);
  });
  for (const c of cases) {
    const defective = RAW_LINES_MISSING_ENV.has(c.line);
    const options = defective ? { todo: 'the shared copy lacks the ENV lines this case needs' } : {};
    it(`line ${c.line}: ${c.input}`, options, () => {
      assert.deepEqual(wordsOrError(c.input, c.env), c.expected);
    });
    if (defective) {
      it(`line ${c.line} with upstream's missing ENV entries restored: ${c.input}`, () => {
        const restored = [...c.env, ...upstreamEnv.filter((entry) => !c.env.includes(entry))];
        assert.ok(restored.length > c.env.length, 'the JSON extract supplies the missing entries');
        assert.deepEqual(wordsOrError(c.input, restored), c.expected);
      });
    }
  }
});

interface JsonFile {
  readonly escape_token: string;
  readonly count: number;
  readonly cases: readonly {
    line: number;
    input: string;
    env: string[];
    expected_words?: string[];
    error?: boolean;
  }[];
}

describe('shell_wordsTest.json', () => {
  const file = JSON.parse(readFileSync(JSON_FILE, 'utf8')) as JsonFile;
  it('declares the escape token and case count', () => {
    assert.equal(file.escape_token, '\\');
    assert.equal(file.count, file.cases.length);
  });
  for (const c of file.cases) {
    it(`line ${c.line}: ${c.input}`, () => {
      const expected = c.error === true ? ['error'] : c.expected_words;
      assert.ok(expected !== undefined, 'case has an expectation');
      assert.deepEqual(wordsOrError(c.input, c.env), expected);
    });
  }
});
