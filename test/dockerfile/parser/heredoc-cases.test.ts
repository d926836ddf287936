import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chompHeredocContent,
  dumpAst,
  heredocsFromLine,
  parseDockerfile,
  parseHeredoc,
} from '../../../src/dockerfile/parser/index.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

const cases = JSON.parse(
  readFileSync(join(conformanceDir(), 'buildkit', 'json', 'parser_heredoc_cases.json'), 'utf8'),
);

interface ExpectedHeredoc {
  name: string;
  content: string;
  expand: boolean;
  chomp: boolean;
  file_descriptor: number;
}

describe('extracts_heredoc', () => {
  const spec = cases.extracts_heredoc;
  const ast = parseDockerfile(spec.dockerfile);
  const expected = spec.expected_children as Array<{
    child_index: number;
    instruction_first_line: string;
    heredocs: ExpectedHeredoc[] | null;
  }>;

  it('has one child per expected instruction', () => {
    assert.equal(ast.children.length, expected.length);
  });

  for (const child of expected) {
    it(`child ${child.child_index}: ${child.instruction_first_line}`, () => {
      const node = ast.children[child.child_index];
      assert.ok(node);
      assert.equal(node.original, child.instruction_first_line);
      const want = (child.heredocs ?? []).map((h) => ({
        name: h.name,
        content: h.content,
        expand: h.expand,
        chomp: h.chomp,
        fileDescriptor: h.file_descriptor,
      }));
      assert.deepEqual(
        node.heredocs.map((h) => ({ ...h })),
        want,
      );
    });
  }

  it('heredoc bodies count toward the instruction range and are not instructions', () => {
    const copy = ast.children[16];
    assert.ok(copy);
    assert.equal(copy.original, 'COPY <<FILE1 <<FILE2 /dest');
    assert.equal(copy.range.end.line - copy.range.start.line, 4);
    assert.deepEqual(copy.args, ['<<FILE1', '<<FILE2', '/dest']);
  });
});

describe('json_form_no_heredoc', () => {
  it('exec form never has heredocs', () => {
    const ast = parseDockerfile(cases.json_form_no_heredoc.dockerfile);
    assert.equal(ast.children.length, 4);
    for (const node of ast.children.slice(1)) {
      assert.equal(node.json, true);
      assert.deepEqual(node.heredocs, []);
    }
  });
});

describe('chomp', () => {
  it('removes leading tabs from each line', () => {
    assert.equal(chompHeredocContent(cases.chomp.input), cases.chomp.expected);
  });
  it('only treats \\n as a line break', () => {
    assert.equal(chompHeredocContent('\ta\r\tb\n\t\tc'), 'a\r\tb\nc');
  });
});

describe('parse_heredoc_helper', () => {
  const spec = cases.parse_heredoc_helper;
  for (const word of spec.valid as string[]) {
    it(`valid ${word}`, () => {
      assert.equal(parseHeredoc(word)?.name, 'EOF');
    });
  }
  for (const word of spec.invalid as string[]) {
    it(`invalid ${word}`, () => {
      assert.throws(
        () => parseHeredoc(word),
        (error: unknown) => isKilnError(error) && error.code === ErrorCode.DockerfileSyntax,
      );
    });
  }
  for (const word of spec.not_heredoc as string[]) {
    it(`not a heredoc ${JSON.stringify(word)}`, () => {
      assert.equal(parseHeredoc(word), undefined);
    });
  }
  it('reads chomp, quoting and file descriptor', () => {
    assert.deepEqual(parseHeredoc('12<<-"E"OF'), {
      name: 'EOF',
      expand: false,
      chomp: true,
      fileDescriptor: 12,
    });
    assert.deepEqual(parseHeredoc('<<EOF'), { name: 'EOF', expand: true, chomp: false, fileDescriptor: 0 });
  });
});

describe('heredocs_from_line', () => {
  for (const c of cases.heredocs_from_line.cases as Array<{ line: string; names: string[] | null }>) {
    it(c.line, () => {
      assert.deepEqual(
        heredocsFromLine(c.line).map((h) => h.name),
        c.names ?? [],
      );
    });
  }
  it('a line the shell splitter rejects has no heredocs', () => {
    assert.deepEqual(heredocsFromLine('RUN <<EOF "unterminated'), []);
  });
});

describe('heredoc parsing details', () => {
  it('fails on an unterminated heredoc, pointing at the instruction', () => {
    assert.throws(
      () => parseDockerfile('FROM x\nRUN <<EOF\necho hi\n'),
      (error: unknown) =>
        isKilnError(error) &&
        error.code === ErrorCode.DockerfileSyntax &&
        error.message === 'unterminated heredoc' &&
        error.location?.range.start.line === 2 &&
        error.location.range.end.line === 3,
    );
  });

  it('attaches ONBUILD heredocs to the ONBUILD node', () => {
    const ast = parseDockerfile('FROM x\nONBUILD RUN <<EOF\necho hi\nEOF\nRUN ok\n');
    assert.equal(ast.children.length, 3);
    assert.deepEqual(
      ast.children[1]?.heredocs.map((h) => h.content),
      ['echo hi\n'],
    );
    assert.equal(ast.children[1]?.child?.keyword, 'run');
    assert.equal(dumpAst(ast), '(from "x")\n(onbuild (run "<<EOF"))\n(run "ok")\n');
  });

  it('matches a chomped terminator after leading tabs, keeps body tabs and CRLF', () => {
    const ast = parseDockerfile('FROM x\r\nRUN <<-EOT\r\n\tline\r\n\t\tEOT\r\nRUN next\r\n');
    assert.deepEqual(ast.children[1]?.heredocs[0]?.content, '\tline\r\n');
    assert.equal(ast.children[2]?.original, 'RUN next');
  });

  it('heredoc terminators are looked for in order', () => {
    const ast = parseDockerfile('FROM x\nCOPY <<A <<B /d\nB\nA\nA\nB\n');
    assert.deepEqual(
      ast.children[1]?.heredocs.map((h) => [h.name, h.content]),
      [
        ['A', 'B\n'],
        ['B', 'A\n'],
      ],
    );
  });
});
