// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * BuildKit's envVarTest (TestShellParser4EnvVars): the raw data file and its JSON extract.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { processWord } from '../../../src/dockerfile/shell/index.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

const SHELL_DIR = join(conformanceDir(), 'buildkit', 'frontend', 'dockerfile', 'shell');
const JSON_FILE = join(conformanceDir(), 'buildkit', 'json', 'shell_envVarTest.json');

/** The env TestShellParser4EnvVars uses for every line. */
const ENV = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };

interface EnvVarCase {
  readonly line: number;
  readonly platform: 'A' | 'U' | 'W';
  readonly input: string;
  /** undefined: must fail. */
  readonly expected: string | undefined;
}

function readRawCases(): EnvVarCase[] {
  const text = readFileSync(join(SHELL_DIR, 'envVarTest'), 'utf8');
  const cases: EnvVarCase[] = [];
  text.split('\n').forEach((rawLine, index) => {
    if (rawLine.startsWith('#')) return;
    const line = rawLine.trim();
    if (line === '') return;
    const fields = line.split('|');
    assert.equal(fields.length, 3, `line ${index + 1} must have 3 fields`);
    const [platform, input, expected] = fields.map((field) => field.trim()) as [string, string, string];
    assert.ok(platform === 'A' || platform === 'U' || platform === 'W', `line ${index + 1}: bad platform`);
    cases.push({ line: index + 1, platform, input, expected: expected === 'error' ? undefined : expected });
  });
  return cases;
}

interface JsonFile {
  readonly env: Record<string, string>;
  readonly escape_token: string;
  readonly count: number;
  readonly cases: readonly {
    line: number;
    platform: 'all' | 'unix' | 'windows';
    input: string;
    expected?: string;
    error?: boolean;
  }[];
}

function readJsonCases(): { file: JsonFile; cases: EnvVarCase[] } {
  const file = JSON.parse(readFileSync(JSON_FILE, 'utf8')) as JsonFile;
  const platforms = { all: 'A', unix: 'U', windows: 'W' } as const;
  const cases = file.cases.map((c) => ({
    line: c.line,
    platform: platforms[c.platform],
    input: c.input,
    expected: c.error === true ? undefined : c.expected,
  }));
  return { file, cases };
}

function check(c: EnvVarCase, env: Readonly<Record<string, string>>): void {
  if (c.expected === undefined) {
    assert.throws(
      () => processWord(c.input, env),
      (error: unknown) => isKilnError(error) && error.code === ErrorCode.Expansion,
      `line ${c.line}: ${JSON.stringify(c.input)} must fail`,
    );
  } else {
    assert.equal(processWord(c.input, env), c.expected, `line ${c.line}: ${JSON.stringify(c.input)}`);
  }
}

/** Windows-only cases are reported as skipped (env names are case-insensitive there). */
function skipWindowsOnly(c: EnvVarCase): { skip?: string } {
  return c.platform === 'W' ? { skip: 'Windows-only case (W)' } : {};
}

describe('envVarTest (raw file)', () => {
  const cases = readRawCases();
  it('has cases, some of them unix-only and some errors', () => {
    assert.ok(cases.length > 100);
    assert.ok(cases.some((c) => c.platform === 'U'));
    assert.ok(cases.some((c) => c.expected === undefined));
  });
  it('has exactly one Windows-only case (skipped below, as upstream does on Linux)', () => {
    assert.equal(cases.filter((c) => c.platform === 'W').length, 1);
  });
  for (const c of cases) {
    it(`line ${c.line}: ${c.input}`, skipWindowsOnly(c), () => check(c, ENV));
  }
});

describe('shell_envVarTest.json', () => {
  const { file, cases } = readJsonCases();
  it('declares the harness env, escape token and case count', () => {
    assert.deepEqual(file.env, ENV);
    assert.equal(file.escape_token, '\\');
    assert.equal(file.count, cases.length);
  });
  for (const c of cases) {
    it(`line ${c.line}: ${c.input}`, skipWindowsOnly(c), () => check(c, file.env));
  }
});
