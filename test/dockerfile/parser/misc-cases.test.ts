import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  detectSyntax,
  EMPTY_CONTINUATION_WARNING,
  parseDirective,
  parseDirectives,
  parseDockerfile,
  parseJsonArray,
  parseNameVal,
  parseWords,
} from '../../../src/dockerfile/parser/index.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

const misc = JSON.parse(
  readFileSync(join(conformanceDir(), 'buildkit', 'json', 'parser_misc_cases.json'), 'utf8'),
);

function expectKilnError(fn: () => unknown, code: string, message?: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isKilnError(error), `expected a KilnError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

describe('parse_words', () => {
  for (const c of misc.parse_words.cases as Array<{ input: string; expected: string[] }>) {
    it(JSON.stringify(c.input), () => {
      assert.deepEqual(parseWords(c.input), c.expected);
    });
  }
});

describe('empty_continuation_warnings', () => {
  const spec = misc.empty_continuation_warnings;
  const ast = parseDockerfile(spec.dockerfile);

  it('has exactly the expected warnings', () => {
    assert.equal(ast.warnings.length, spec.expected_warning_count);
    spec.warning_short_contains.forEach((fragments: string[], i: number) => {
      const warning = ast.warnings[i];
      assert.ok(warning);
      assert.equal(warning.code, EMPTY_CONTINUATION_WARNING);
      for (const fragment of fragments) assert.ok(warning.message.includes(fragment), warning.message);
    });
    assert.ok(ast.warnings[0]?.detail?.includes('will become errors in a future release'));
  });

  it('comment lines inside continuations are dropped, not warned about', () => {
    const run = ast.children.find((c) => c.original.startsWith('RUN non-indented'));
    assert.deepEqual(run?.args, ['non-indented    after-comment']);
    const indented = ast.children.find((c) => c.original.startsWith('RUN indented'));
    assert.deepEqual(indented?.args, ['indented     comment']);
  });
});

describe('line_too_long', () => {
  const spec = misc.line_too_long;
  const dockerfile = spec.dockerfile_template.replace('%s', 'a'.repeat(65536));

  it('fails with the exact BuildKit message and E_LINE_TOO_LONG', () => {
    expectKilnError(() => parseDockerfile(dockerfile), ErrorCode.LineTooLong, spec.expected_error);
  });

  it('accepts a line of exactly 65535 bytes, with or without a final newline', () => {
    const line = `LABEL a=${'b'.repeat(65535 - 'LABEL a='.length)}`;
    assert.equal(parseDockerfile(`FROM x\n${line}\n`).children.length, 2);
    assert.equal(parseDockerfile(`FROM x\n${line}`).children.length, 2);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const line = `LABEL a=${'é'.repeat(32764)}`; // 8 + 65528 bytes
    expectKilnError(() => parseDockerfile(`FROM x\n${line}\n`), ErrorCode.LineTooLong);
    assert.equal(parseDockerfile(`FROM x\nLABEL a=${'é'.repeat(32763)}\n`).children.length, 2);
  });
});

describe('json_arrays', () => {
  for (const c of misc.json_arrays.valid as Array<{ input: string; expected: string[] }>) {
    it(`valid ${JSON.stringify(c.input)}`, () => {
      assert.deepEqual(parseJsonArray(c.input), { kind: 'strings', values: c.expected });
    });
  }
  for (const input of misc.json_arrays.invalid as string[]) {
    it(`non-string member ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseJsonArray(input), { kind: 'not-strings' });
      expectKilnError(
        () => parseDockerfile(`FROM x\nCMD ${input}\n`),
        ErrorCode.DockerfileSyntax,
        'when using JSON array syntax, arrays must be comprised of strings only',
      );
    });
  }
});

interface DirectiveCase {
  test: string;
  directive?: string;
  input: string;
  input_bytes_prefix?: string;
  expected?: Array<{ name: string; value: string }>;
  found?: boolean;
  ref?: string;
  cmdline?: string;
  line?: number;
}

describe('directives', () => {
  for (const c of misc.directives.cases as DirectiveCase[]) {
    const input = c.input_bytes_prefix === 'EF BB BF' ? `\ufeff${c.input}` : c.input;
    it(`${c.test} ${JSON.stringify(input)}`, () => {
      if (c.test === 'TestDirectives') {
        const found = parseDirectives(input).map(({ name, value }) => ({ name, value }));
        assert.deepEqual(found, c.expected);
        return;
      }
      const result =
        c.test === 'TestDetectSyntax' || c.test === 'TestDetectSyntaxBOM'
          ? detectSyntax(input)
          : parseDirective(c.directive ?? '', input);
      assert.equal(result !== undefined, c.found);
      if (result === undefined) return;
      if (c.ref !== undefined) assert.equal(result.ref, c.ref);
      if (c.cmdline !== undefined) assert.equal(result.cmdline, c.cmdline);
      if (c.line !== undefined) assert.equal(result.line, c.line);
    });
  }
});

describe('name_val', () => {
  for (const c of misc.name_val.cases as Array<{
    input: string;
    cmd: string;
    expected_chain?: string[];
    error?: boolean;
  }>) {
    it(`${c.cmd} ${c.input}`, () => {
      if (c.error) {
        expectKilnError(
          () => parseNameVal(c.input, c.cmd),
          ErrorCode.DockerfileSyntax,
          `${c.cmd} must have two arguments`,
        );
      } else {
        assert.deepEqual(parseNameVal(c.input, c.cmd), c.expected_chain);
      }
    });
  }
});
