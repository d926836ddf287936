// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * Properties of word expansion over generated input (fast-check).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  processWord,
  processWords,
  processWordWithMatches,
  type ShellOptions,
} from '../../../src/dockerfile/shell/index.js';
import { isShellSpace } from '../../../src/dockerfile/shell/word-collector.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';

const SHELL_CHARS = [
  '$',
  '{',
  '}',
  ':',
  '-',
  '+',
  '?',
  '#',
  '%',
  '/',
  '\\',
  '`',
  "'",
  '"',
  '*',
  '=',
  '@',
  '0',
  '1',
];
const wordArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(...SHELL_CHARS, 'A', 'B', 'a', ' ', '\n', '\t', 'é'),
      fc.string({ maxLength: 2 }),
    ),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));
const envArb = fc.dictionary(fc.constantFrom('A', 'B', 'a', '1', '@'), fc.oneof(wordArb, fc.constant('')), {
  maxKeys: 4,
});
const optionsArb: fc.Arbitrary<ShellOptions> = fc.record(
  {
    escapeToken: fc.constantFrom('\\' as const, '`' as const),
    skipUnsetEnv: fc.boolean(),
    rawQuotes: fc.boolean(),
    rawEscapes: fc.boolean(),
    skipProcessQuotes: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** A string without `$`, quotes or the escape token, and without a leading byte order mark. */
function plainArb(escapeToken: string): fc.Arbitrary<string> {
  return fc
    .string({ unit: 'grapheme', maxLength: 60 })
    .map((text) => text.replace(/^\ufeff+/, ''))
    .filter((text) => !/[$'"]/.test(text) && !text.includes(escapeToken));
}

describe('properties', () => {
  it('only ever fails with KilnError(E_EXPANSION)', () => {
    fc.assert(
      fc.property(wordArb, envArb, optionsArb, (word, env, options) => {
        for (const run of [processWord, processWords, processWordWithMatches]) {
          try {
            run(word, env, options);
          } catch (error) {
            assert.ok(isKilnError(error), `non-KilnError for ${JSON.stringify(word)}: ${String(error)}`);
            assert.equal(error.code, ErrorCode.Expansion);
          }
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('processWordWithMatches agrees with processWord and processWords', () => {
    fc.assert(
      fc.property(wordArb, envArb, (word, env) => {
        let expected: { result: string; words: string[] } | undefined;
        try {
          expected = { result: processWord(word, env), words: processWords(word, env) };
        } catch {
          expected = undefined;
        }
        if (expected === undefined) {
          assert.throws(() => processWordWithMatches(word, env));
          return;
        }
        const expansion = processWordWithMatches(word, env);
        assert.equal(expansion.result, expected.result);
        assert.deepEqual(expansion.words, expected.words);
        for (const name of expansion.matched) assert.ok(Object.hasOwn(env, name));
        for (const name of expansion.unmatched) assert.ok(!Object.hasOwn(env, name));
      }),
      { numRuns: 3000 },
    );
  });

  it('is the identity on text without $, quotes or escapes', () => {
    for (const escapeToken of ['\\', '`'] as const) {
      fc.assert(
        fc.property(plainArb(escapeToken), (text) => {
          assert.equal(processWord(text, { A: 'x' }, { escapeToken }), text);
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('splits plain text at whitespace only', () => {
    fc.assert(
      fc.property(plainArb('\\'), (text) => {
        const expected = Array.from(text)
          .map((ch) => (isShellSpace(ch) ? ' ' : ch))
          .join('')
          .split(' ')
          .filter((word) => word !== '');
        assert.deepEqual(processWords(text, {}), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('single quotes protect any text without a single quote', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).filter((text) => !text.includes("'")),
        (text) => {
          assert.equal(processWord(`'${text}'`, { A: 'x' }), text);
          assert.deepEqual(processWords(`'${text}'`, {}), text === '' ? [] : [text]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('expanding a variable yields its value verbatim in every form that should', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const env = { V: value };
        assert.equal(processWord('$V', env), value);
        assert.equal(processWord('"${V}"', env), value);
        assert.equal(processWord('${V:-x}', env), value === '' ? 'x' : value);
        assert.equal(processWord('${V#}${V%%}', env), value + value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('large inputs finish (a hang here times the test out)', () => {
  const value = 'ab'.repeat(50_000) + '\n' + 'x'.repeat(50_000);
  it('patterns over a 200k-character value', { timeout: 20_000 }, () => {
    const env = { V: value };
    assert.equal(processWord('${V##*b}', env).length, 50_001);
    assert.equal(processWord('${V%%*a*b*a*b*c}', env), value);
    assert.equal(processWord('${V#*a*b*a*b*c}', env), value);
    assert.equal(processWord('${V//a/}', env).length, value.length - 50_000);
    assert.equal(processWord('${V//*b?x/-}', env), value);
    assert.equal(processWord('${V/b*x/-}', env), value);
    assert.equal(processWord('${V/b*b/-}', env), 'a-\n' + 'x'.repeat(50_000));
  });
  it('a long word with many expansions', { timeout: 20_000 }, () => {
    const word = '${A:-"$B\\ c"}'.repeat(20_000);
    assert.equal(processWord(word, { B: 'b' }), 'b\\ c'.repeat(20_000));
    // The default value is unquoted output of the ${} as a whole, so its space splits.
    assert.equal(processWords(word, { B: 'b' }).length, 20_001);
    assert.equal(processWords("'$B'\\ ".repeat(20_000), {}).length, 1);
  });
  it('a long pattern against a long value', { timeout: 20_000 }, () => {
    const pattern = '*a'.repeat(2_000);
    assert.equal(processWord(`\${V#${pattern}}`, { V: 'a'.repeat(5_000) }), 'a'.repeat(3_000));
    assert.equal(processWord(`\${V##${pattern}}`, { V: 'a'.repeat(5_000) }), '');
  });
});
