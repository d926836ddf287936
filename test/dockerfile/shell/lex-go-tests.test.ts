// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * The Go test tables of BuildKit's lex_test.go (shell_lex_go_tests.json): every block.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  envFromList,
  lookupEnv,
  processWord,
  processWordWithMatches,
} from '../../../src/dockerfile/shell/index.js';
import { compileShellPattern, shellPatternToRegexSource } from '../../../src/dockerfile/shell/pattern.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

interface LexGoTests {
  readonly process_word_with_matches: {
    readonly cases: readonly {
      input: string;
      env: Record<string, string>;
      expected?: string;
      error?: boolean;
      matched?: string[];
      unmatched?: string[];
    }[];
  };
  readonly mandatory_env_vars: {
    readonly cases: readonly {
      input: string;
      env: string[];
      expected?: string;
      error?: boolean;
      error_contains?: string;
    }[];
  };
  readonly platform_release_name: {
    readonly cases: readonly { input: string; env: Record<string, string>; expected: string }[];
  };
  readonly env_lookup: { readonly cases: readonly { env: string[]; key: string; expected: string }[] };
  readonly shell_pattern_to_regex: {
    readonly cases: readonly { pattern: string; regex: string }[];
    readonly invalid: readonly string[];
  };
}

const data = JSON.parse(
  readFileSync(join(conformanceDir(), 'buildkit', 'json', 'shell_lex_go_tests.json'), 'utf8'),
) as LexGoTests;

function isExpansionError(error: unknown): boolean {
  return isKilnError(error) && error.code === ErrorCode.Expansion;
}

function sorted(names: ReadonlySet<string>): string[] {
  return [...names].sort();
}

describe('process_word_with_matches (TestProcessWithMatches)', () => {
  const cases = data.process_word_with_matches.cases;
  it('has success and error cases', () => {
    assert.ok(cases.some((c) => c.error === true));
    assert.ok(cases.some((c) => c.error !== true));
  });
  cases.forEach((c, index) => {
    it(`#${index} ${c.input} ${JSON.stringify(c.env)}`, () => {
      if (c.error === true) {
        assert.throws(() => processWordWithMatches(c.input, c.env), isExpansionError);
        return;
      }
      const expansion = processWordWithMatches(c.input, c.env);
      assert.equal(expansion.result, c.expected);
      assert.deepEqual(sorted(expansion.matched), [...(c.matched ?? [])].sort());
      assert.deepEqual(sorted(expansion.unmatched), [...(c.unmatched ?? [])].sort());
    });
  });
});

describe('mandatory_env_vars (TestShellParserMandatoryEnvVars)', () => {
  data.mandatory_env_vars.cases.forEach((c, index) => {
    it(`#${index} ${c.input} ${JSON.stringify(c.env)}`, () => {
      const env = envFromList(c.env);
      if (c.error === true) {
        assert.throws(
          () => processWord(c.input, env),
          (error: unknown) =>
            isExpansionError(error) &&
            (c.error_contains === undefined || (error as Error).message.includes(c.error_contains)),
        );
        return;
      }
      assert.equal(processWord(c.input, env), c.expected);
    });
  });
});

describe('platform_release_name (TestProcessWithMatchesPlatform)', () => {
  data.platform_release_name.cases.forEach((c, index) => {
    it(`#${index} ${JSON.stringify(c.env)}`, () => {
      assert.equal(processWordWithMatches(c.input, c.env).result, c.expected);
    });
  });
});

describe('env_lookup (TestGetEnv)', () => {
  data.env_lookup.cases.forEach((c, index) => {
    it(`#${index} ${c.key} in ${JSON.stringify(c.env)}`, () => {
      const env = envFromList(c.env);
      assert.equal(lookupEnv(env, c.key) ?? '', c.expected);
      // The lexer sees the same value.
      assert.equal(processWord(`\${${c.key}}`, env), c.expected);
    });
  });
});

describe('shell_pattern_to_regex (TestConvertShellPatternToRegex)', () => {
  for (const c of data.shell_pattern_to_regex.cases) {
    it(`${c.pattern} -> ${c.regex}`, () => {
      assert.equal(shellPatternToRegexSource(compileShellPattern(c.pattern), true, true), c.regex);
    });
  }
  for (const pattern of data.shell_pattern_to_regex.invalid) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      assert.throws(() => compileShellPattern(pattern), isExpansionError);
      // And through the lexer, as a pattern taken from a variable.
      assert.throws(() => processWord('${V#$P}', { V: 'value', P: pattern }), isExpansionError);
    });
  }
});
