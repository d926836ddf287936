/**
 * instructions_cases.json blocks given as Dockerfile text: parsed with the project's parser, then typed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInstruction } from '../../../src/dockerfile/instructions/parse-instruction.js';
import type { Instruction } from '../../../src/dockerfile/instructions/types.js';
import { parseDockerfile } from '../../../src/dockerfile/parser/index.js';
import { parseStages } from '../../../src/dockerfile/stages/parse-stages.js';
import { ErrorCode } from '../../../src/errors.js';
import { instructionCases, thrown } from './fixtures.js';

const cases = instructionCases();

function firstInstruction(text: string): Instruction {
  const ast = parseDockerfile(text, {});
  const first = ast.children[0];
  if (first === undefined) throw new Error('no instruction parsed');
  return parseInstruction(first);
}

describe('instructions conformance: error_cases', () => {
  for (const c of cases.error_cases.cases) {
    it(`${c.name}: ${JSON.stringify(c.dockerfile)}`, () => {
      const err = thrown(() => firstInstruction(c.dockerfile));
      assert.ok(err.message.includes(c.expected_error), `${err.message} ⊉ ${c.expected_error}`);
      const expectedCode = c.expected_error.startsWith('unknown instruction')
        ? ErrorCode.UnknownInstruction
        : c.expected_error.startsWith('unknown flag')
          ? ErrorCode.UnknownFlag
          : ErrorCode.DockerfileInstruction;
      assert.equal(err.code, expectedCode);
    });
  }
  it('errors carry the instruction location', () => {
    const ast = parseDockerfile('FROM scratch\n\nFOO bar\n', {});
    const err = thrown(() => parseStages(ast, { file: 'x/Dockerfile' })) as {
      location?: { file: string; range: { start: { line: number } } };
    };
    assert.equal(err.location?.file, 'x/Dockerfile');
    assert.equal(err.location?.range.start.line, 3);
  });
});

describe('instructions conformance: heredoc_errors', () => {
  for (const c of cases.heredoc_errors.cases) {
    it(c.name, () => {
      assert.ok(thrown(() => firstInstruction(c.dockerfile)).message.includes(c.expected_error));
    });
  }
});

describe('instructions conformance: copy_heredoc', () => {
  for (const c of cases.copy_heredoc.cases) {
    it(JSON.stringify(c.dockerfile), () => {
      const copy = firstInstruction(c.dockerfile);
      if (copy.kind !== 'copy') throw new Error(`got ${copy.kind}`);
      assert.equal(copy.sources.destPath, c.dest_path);
      assert.deepEqual(copy.sources.sourcePaths, c.source_paths);
      assert.deepEqual(copy.sources.sourceContents, c.source_contents);
    });
  }
});

describe('instructions conformance: run_heredoc', () => {
  for (const c of cases.run_heredoc.cases) {
    it(JSON.stringify(c.dockerfile), () => {
      const run = firstInstruction(c.dockerfile);
      if (run.kind !== 'run') throw new Error(`got ${run.kind}`);
      assert.equal(run.command.form === 'shell', c.prepend_shell);
      assert.deepEqual(run.command.args, c.cmd_line);
      assert.deepEqual(
        run.command.files.map((f) => ({ name: f.name, data: f.data, chomp: f.chomp })),
        c.files,
      );
    });
  }
});

describe('instructions conformance: doc_comments', () => {
  it('takes doc comments for stages and args from the preceding comment lines', () => {
    const { metaArgs, stages } = parseStages(parseDockerfile(cases.doc_comments.dockerfile, {}));
    const expected = cases.doc_comments.expected;
    const stage = stages[0]!;
    assert.equal(stage.comment, expected.stage0_doc);
    const meta = metaArgs[0]!.args[0]!;
    assert.deepEqual({ key: meta.key, doc: meta.comment }, expected.meta_arg0);
    const [cmd0, cmd1] = stage.commands;
    if (cmd0?.kind !== 'arg' || cmd1?.kind !== 'arg') throw new Error('expected two ARG commands');
    assert.deepEqual({ key: cmd0.args[0]!.key, doc: cmd0.args[0]!.comment }, expected.stage0_cmd0_arg0);
    assert.deepEqual(
      cmd1.args.map((a) => ({ key: a.key, doc: a.comment })),
      expected.stage0_cmd1_args,
    );
  });
});
