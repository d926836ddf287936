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

type JsonCase = JsonFile['cases'][number];

function jsonExpected(c: JsonCase): readonly string[] {
  return c.error === true ? ['error'] : (c.expected_words ?? []);
}

function isSameCase(raw: WordsCase, json: JsonCase): boolean {
  return raw.input === json.input && JSON.stringify(raw.expected) === JSON.stringify(jsonExpected(json));
}

function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * The env BuildKit's TestShellParser4Words has at each case of the raw file. Upstream builds it only from
 * the file's own `ENV k=v` lines (cumulative, starting empty; see the JSON's `harness`). The shared raw
 * file is a subset of upstream's and lacks two of those ENV lines (the ones defining `hi` and `leading`);
 * the JSON extract of the same upstream file records, for each case it holds, the env in force at that
 * upstream line. So:
 * - a raw case the JSON extract also holds (same input, same expectation) gets the JSON's env;
 * - any other raw case gets the raw file's env plus each JSON-only entry already in force after the last
 *   JSON-held case before it, where an entry is in force right after the last JSON case that lacks it.
 *   (That placement is forced: upstream's `hello${hi}bye` appears twice with different expectations, so
 *   an `ENV hi=…` line must separate the two.)
 * Expectations always come from the raw file; nothing here knows a result.
 */
function withUpstreamEnv(raw: readonly WordsCase[], json: readonly JsonCase[]): WordsCase[] {
  const rawNames = new Set(raw.flatMap((c) => c.env.map(envName)));
  const jsonOnly = [...new Set(json.flatMap((c) => c.env))].filter((entry) => !rawNames.has(envName(entry)));
  const lastLacking = new Map(
    jsonOnly.map((entry) => [entry, json.findLastIndex((c) => !c.env.includes(entry))]),
  );
  let position = -1; // index in `json` of the last raw case found there
  return raw.map((c) => {
    const found = json.findIndex((j, i) => i > position && isSameCase(c, j));
    if (found >= 0) {
      position = found;
      return { ...c, env: json[found]!.env };
    }
    const inForce = jsonOnly.filter(
      (entry) => (lastLacking.get(entry) ?? Number.POSITIVE_INFINITY) <= position,
    );
    return { ...c, env: [...c.env, ...inForce] };
  });
}

describe('wordsTest (raw file, with the env the upstream harness had)', () => {
  const rawCases = readRawCases();
  const jsonCases = (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as JsonFile).cases;
  const cases = withUpstreamEnv(rawCases, jsonCases);
  it('has cases that depend on ENV lines and an error case', () => {
    assert.ok(cases.length >= 10);
    assert.ok(cases.some((c) => c.env.length > 0));
    assert.ok(cases.some((c) => c.expected[0] === 'error'));
  });
  it('keeps every ENV entry of the raw file, and the JSON extract agrees with them', () => {
    cases.forEach((c, i) => {
      const own = envFromList(rawCases[i]!.env);
      const merged = envFromList(c.env);
      for (const [name, value] of own) assert.equal(merged.get(name), value, `line ${c.line}: ${name}`);
    });
  });
  it('gives the two lines with the same input but different expectations different envs', () => {
    const twins = cases.filter((c, i) => cases.some((o, j) => j !== i && o.input === c.input));
    assert.equal(twins.length, 2, 'the raw file has exactly one repeated input');
    const [first, second] = twins as [WordsCase, WordsCase];
    assert.notDeepEqual(first.expected, second.expected);
    assert.notDeepEqual(envFromList(first.env), envFromList(second.env));
  });
  for (const c of cases) {
    it(`line ${c.line}: ${c.input}`, () => {
      assert.deepEqual(wordsOrError(c.input, c.env), c.expected);
    });
  }
});

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
