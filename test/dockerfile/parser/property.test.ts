import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  dumpAst,
  goQuote,
  heredocsFromLine,
  parseDockerfile,
  parseJsonArray,
  parseWords,
  splitCommand,
} from '../../../src/dockerfile/parser/index.js';
import { isKilnError } from '../../../src/errors.js';
import { dockerfileish } from './fixtures/dockerfile-fragments.js';

/** Runs `fn`; anything thrown must be a KilnError. Returns whether it succeeded. */
function onlyKilnErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    assert.ok(isKilnError(error), `non-KilnError thrown: ${String(error)}`);
    assert.ok(
      error.location !== undefined || error.code === 'E_LINE_TOO_LONG',
      'parse errors carry a location',
    );
    return false;
  }
}

describe('parser properties', () => {
  it('arbitrary strings: only KilnErrors, and a successful parse dumps', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        onlyKilnErrors(() => dumpAst(parseDockerfile(text)));
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary UTF-16 (lone surrogates included): only KilnErrors', () => {
    const utf16 = fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 200,
    });
    fc.assert(
      fc.property(fc.tuple(fc.constantFrom('', 'FROM x\n', 'RUN <<EOF '), utf16), ([prefix, text]) => {
        onlyKilnErrors(() => dumpAst(parseDockerfile(prefix + text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('Dockerfile-ish fragments: only KilnErrors, consistent ranges', () => {
    fc.assert(
      fc.property(dockerfileish, (text) => {
        onlyKilnErrors(() => {
          const ast = parseDockerfile(text);
          dumpAst(ast);
          let previousEnd = 0;
          for (const child of ast.children) {
            assert.ok(child.range.start.line > previousEnd, 'instructions do not overlap');
            assert.ok(child.range.end.line >= child.range.start.line);
            assert.ok(child.range.start.column >= 1);
            previousEnd = child.range.end.line;
          }
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('helpers never throw on arbitrary input (except heredoc splitting, which returns [])', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        parseWords(text);
        parseWords(text, '`');
        splitCommand(text);
        parseJsonArray(text);
        heredocsFromLine(text);
        goQuote(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('JSON arrays of strings round-trip through the exec-form parser', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), (values) => {
        const result = parseJsonArray(JSON.stringify(values));
        assert.deepEqual(result, { kind: 'strings', values });
      }),
      { numRuns: 500 },
    );
  });

  it('goQuote output is a valid JSON string for printable ASCII', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          assert.equal(JSON.parse(goQuote(s)), s);
        },
      ),
    );
  });
});

describe('pathological inputs stay fast (no catastrophic backtracking)', () => {
  const cases: Record<string, string> = {
    'directive with a long run of spaces': `# escape=${' '.repeat(60000)}x ${' '.repeat(3000)}\nFROM x\n`,
    'heredoc word with spaces then <': `FROM x\nRUN <<${' '.repeat(60000)}<\n`,
    'long continuation': `FROM x\nRUN a${' \\\n'.repeat(20000)}b\n`,
    'many escapes': `FROM x\nENV a=${'\\'.repeat(60000)}\n`,
    'deep JSON nesting': `FROM x\nCMD ${'['.repeat(30000)}${']'.repeat(30000)}\n`,
    'deep ONBUILD nesting': `FROM x\n${'ONBUILD '.repeat(8000)}RUN x\n`,
    'deep substitution nesting with a heredoc': `FROM x\nRUN <<EOF ${'${a:-'.repeat(5000)}\nEOF\n`,
    'many quotes': `FROM x\nLABEL ${'"a" '.repeat(20000)}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      onlyKilnErrors(() => dumpAst(parseDockerfile(text)));
    });
  }

  it('deep JSON nesting over Go limit falls back to shell form', () => {
    const ast = parseDockerfile(`FROM x\nCMD ${'['.repeat(10001)}${']'.repeat(10001)}\n`);
    assert.equal(ast.children[1]?.json, false);
    assert.throws(() => parseDockerfile(`FROM x\nCMD ${'['.repeat(10000)}${']'.repeat(10000)}\n`));
  });

  it('parses a 10,000-line Dockerfile', () => {
    const lines = ['FROM alpine'];
    for (let i = 0; i < 10000; i++) {
      lines.push(
        i % 3 === 0
          ? `RUN echo ${i} && \\\n  true`
          : i % 3 === 1
            ? `ENV K${i}=v${i} X="a b"`
            : `COPY ["a${i}", "/b"]`,
      );
    }
    const ast = parseDockerfile(lines.join('\n'));
    assert.equal(ast.children.length, 10001);
  });
});
