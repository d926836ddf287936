import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dumpAst, parseDockerfile } from '../../../src/dockerfile/parser/index.js';
import { conformanceDir } from '../../helpers/paths.js';

const parserDir = join(conformanceDir(), 'buildkit', 'frontend', 'dockerfile', 'parser');
const testfilesDir = join(parserDir, 'testfiles');

describe('BuildKit parser testfiles (dump must equal result byte for byte)', () => {
  const names = readdirSync(testfilesDir).sort();
  it('finds the testfiles', () => {
    assert.ok(names.length >= 20, `only ${names.length} testfiles found in ${testfilesDir}`);
  });
  for (const name of names) {
    it(name, () => {
      const dockerfile = readFileSync(join(testfilesDir, name, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(testfilesDir, name, 'result'), 'utf8');
      assert.equal(dumpAst(parseDockerfile(dockerfile)), expected);
    });
  }
});

describe('testfile-line line numbers', () => {
  const misc = JSON.parse(
    readFileSync(join(conformanceDir(), 'buildkit', 'json', 'parser_misc_cases.json'), 'utf8'),
  );
  const spec = misc.line_numbers as {
    ast: { start_line: number; end_line: number };
    children: Array<[number, number]>;
  };
  const ast = parseDockerfile(readFileSync(join(parserDir, 'testfile-line', 'Dockerfile'), 'utf8'));

  it('AST spans the expected lines', () => {
    assert.equal(ast.range.start.line, spec.ast.start_line);
    assert.equal(ast.range.end.line, spec.ast.end_line);
  });

  it('each child has BuildKit StartLine/EndLine', () => {
    assert.deepEqual(
      ast.children.map((c) => [c.range.start.line, c.range.end.line]),
      spec.children,
    );
  });

  it('columns point at the keyword and the end of the last line', () => {
    const env = ast.children[1];
    assert.ok(env);
    assert.deepEqual(env.range, { start: { line: 11, column: 1 }, end: { line: 12, column: 4 } });
    assert.equal(ast.directives.escapeToken, '\\');
    assert.deepEqual(ast.directives.locations.escape?.start, { line: 1, column: 1 });
  });
});
