import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpAst, dumpNode, parseDockerfile } from '../../../src/dockerfile/parser/index.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';

function dump(text: string): string {
  return dumpAst(parseDockerfile(text));
}

function syntaxError(text: string, message: string | RegExp, line?: number): void {
  assert.throws(
    () => parseDockerfile(text, { file: 'Containerfile' }),
    (error: unknown) => {
      assert.ok(isKilnError(error));
      assert.equal(error.code, ErrorCode.DockerfileSyntax);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      assert.equal(error.location?.file, 'Containerfile');
      if (line !== undefined) assert.equal(error.location?.range.start.line, line);
      return true;
    },
  );
}

describe('parser directives in a parse', () => {
  it('applies # escape=` to continuations and records the directives', () => {
    const ast = parseDockerfile(
      '# syntax=docker/dockerfile:1 // x\n# ESCAPE = `\n# check=skip=all\nFROM `\n  a\n',
    );
    assert.equal(ast.directives.escapeToken, '`');
    assert.equal(ast.directives.syntax, 'docker/dockerfile:1');
    assert.equal(ast.directives.check, 'skip=all');
    assert.deepEqual(Object.keys(ast.directives.locations).sort(), ['check', 'escape', 'syntax']);
    assert.equal(ast.directives.locations.escape?.start.line, 2);
    assert.equal(dumpAst(ast), '(from "a")\n');
  });

  it('rejects a repeated directive with its line', () => {
    syntaxError('# escape=\\\n# escape=`\nFROM x\n', 'only one escape parser directive can be used', 2);
    syntaxError('# syntax=a\n#syntax=b\nFROM x\n', 'only one syntax parser directive can be used', 2);
  });

  it('rejects an invalid escape token', () => {
    syntaxError('# escape=x\nFROM x\n', "invalid escape token 'x' does not match ` or \\", 1);
  });

  it('an unknown directive, a comment, a blank line or a shebang ends the directive section', () => {
    for (const prefix of ['# foo=bar\n', '# hello\n', '\n', '#!/bin/sh\n', 'FROM a\n']) {
      const ast = parseDockerfile(`${prefix}# escape=\`\nFROM x\nRUN a \\\n b\n`);
      assert.equal(ast.directives.escapeToken, '\\', JSON.stringify(prefix));
    }
  });

  it('a shebang line does not hide # syntax= from syntax detection', () => {
    assert.equal(parseDockerfile('#!/usr/bin/env kiln\n# syntax=foo\nFROM x\n').directives.syntax, 'foo');
  });

  it('# escape= with only spaces is an invalid token, like BuildKit', () => {
    syntaxError('# escape=   \nFROM x\n', "invalid escape token ' ' does not match ` or \\");
  });
});

describe('comments', () => {
  it('attaches preceding comment lines, without #, trimmed', () => {
    const ast = parseDockerfile(
      '# syntax=x\n# first\n#   second  \n\nFROM a\n# not kept\n#\n# third\nRUN b\nRUN c\n',
    );
    assert.deepEqual(
      ast.children.map((c) => c.comments),
      [['first', 'second'], ['third'], []],
    );
  });

  it('drops comment lines inside continuations', () => {
    const ast = parseDockerfile('FROM a\nRUN one \\\n  # inner\n  two\n');
    assert.deepEqual(ast.children[1]?.args, ['one   two']);
    assert.deepEqual(ast.children[1]?.comments, []);
  });
});

describe('instructions', () => {
  it('keeps unknown instructions as nodes with one empty argument', () => {
    const ast = parseDockerfile('FROM a\nFooBar baz qux\n');
    assert.equal(ast.children[1]?.keyword, 'foobar');
    assert.equal(ast.children[1]?.keywordAsWritten, 'FooBar');
    assert.equal(dumpAst(ast), '(from "a")\n(foobar "")\n');
  });

  it('lowercases keywords like Go (no multi-character expansion)', () => {
    assert.equal(parseDockerfile('İRUN x\n').children[0]?.keyword, 'irun');
  });

  it('parses ENV and LABEL in both forms', () => {
    assert.equal(
      dump('ENV a=1 b="x y" c\\ d=e\nENV key  the value\nLABEL "k"="v"\n'),
      '(env "a" "1" "=" "b" "\\"x y\\"" "=" "c\\\\ d" "e" "=")\n(env "key" "the value" "")\n(label "\\"k\\"" "\\"v\\"" "=")\n',
    );
  });

  it('reports ENV/LABEL syntax errors with the instruction line', () => {
    syntaxError('FROM a\nENV foo\n', 'ENV must have two arguments', 2);
    syntaxError(
      'FROM a\nLABEL a=b c\n',
      'Syntax error - can\'t find = in "c". Must be of the form: name=value',
      2,
    );
  });

  it('extracts flags before the arguments', () => {
    assert.equal(
      dump(
        'COPY --from=build --chown="a b" src dst\nRUN --mount=type=cache,target=/x -- --not-a-flag\nRUN --network none echo\nRUN --x\n',
      ),
      [
        '(copy ["--from=build" "--chown=a b"] "src" "dst")',
        '(run ["--mount=type=cache,target=/x"] "--not-a-flag")',
        '(run ["--network=none"] "echo")',
        '(run ["--x"])',
        '',
      ].join('\n'),
    );
  });

  it('nests ONBUILD triggers with their own flags', () => {
    const ast = parseDockerfile('ONBUILD COPY --from=x a b\nONBUILD ONBUILD RUN ["a"]\nONBUILD\n');
    assert.equal(
      dumpAst(ast),
      '(onbuild (copy ["--from=x"] "a" "b"))\n(onbuild (onbuild (run "a")))\n(onbuild)\n',
    );
    assert.equal(ast.children[1]?.child?.child?.json, true);
    assert.equal(ast.children[0]?.child?.original, 'COPY --from=x a b');
    assert.deepEqual(ast.children[0]?.child?.range, ast.children[0]?.range);
  });

  it('handles HEALTHCHECK NONE and exec form', () => {
    assert.equal(
      dump('HEALTHCHECK NONE\nHEALTHCHECK CMD ["a", "b"]\n'),
      '(healthcheck "NONE")\n(healthcheck "CMD" "a" "b")\n',
    );
    assert.equal(parseDockerfile('HEALTHCHECK CMD ["a"]\n').children[0]?.json, true);
  });

  it('falls back to shell form for JSON Go would not decode', () => {
    assert.equal(
      dump('CMD ["a"] x\nCMD [1e999]\nCMD ["a",]\nCMD ["\\ud800"]\nRUN ["a"\n'),
      '(cmd "[\\"a\\"] x")\n(cmd "[1e999]")\n(cmd "[\\"a\\",]")\n(cmd "\uFFFD")\n(run "[\\"a\\"")\n',
    );
  });

  it('uses whitespace splitting for non-JSON ADD/COPY/VOLUME and keeps quotes', () => {
    assert.equal(dump('VOLUME "/a b" /c\n'), '(volume "\\"/a" "b\\"" "/c")\n');
  });
});

describe('lines, continuations and ranges', () => {
  it('fails on a file without instructions', () => {
    syntaxError('', 'file with no instructions');
    syntaxError('# only a comment\n\n', 'file with no instructions');
  });

  it('strips a BOM and handles CRLF', () => {
    const ast = parseDockerfile('\ufeffFROM a\r\nRUN b \\\r\n c\r\n');
    assert.equal(dumpAst(ast), '(from "a")\n(run "b  c")\n');
    assert.deepEqual(ast.children[0]?.range, { start: { line: 1, column: 2 }, end: { line: 1, column: 8 } });
  });

  it('starts a continuation from a lone escape line', () => {
    const ast = parseDockerfile('\\\nFROM a\n');
    assert.equal(dumpAst(ast), '(from "a")\n');
    assert.deepEqual([ast.children[0]?.range.start.line, ast.children[0]?.range.end.line], [1, 2]);
  });

  it('an escaped escape at the end does not continue the line', () => {
    assert.equal(dump('RUN a \\\\\nRUN b\n'), '(run "a \\\\\\\\")\n(run "b")\n');
  });

  it('indented instructions start at their keyword column', () => {
    const ast = parseDockerfile('FROM a\n\t  RUN b \\\n  c\n');
    assert.deepEqual(ast.children[1]?.range, { start: { line: 2, column: 4 }, end: { line: 3, column: 4 } });
    assert.equal(ast.children[1]?.original, 'RUN b   c');
  });

  it('warns once per instruction with empty continuation lines, at its last line', () => {
    const ast = parseDockerfile('FROM a\nRUN a \\\n\n  \\\n\n b\n');
    assert.equal(ast.warnings.length, 1);
    assert.equal(ast.warnings[0]?.message, 'Empty continuation line found in: RUN a    b');
    assert.equal(ast.warnings[0]?.range?.start.line, 6);
    assert.match(ast.warnings[0]?.url ?? '', /no-empty-continuation/);
  });

  it('dumpNode renders one instruction without parentheses', () => {
    const node = parseDockerfile('RUN --a=b echo "hi"\n').children[0];
    assert.ok(node);
    assert.equal(dumpNode(node), 'run ["--a=b"] "echo \\"hi\\""');
  });
});
