/**
 * AST → meta ARGs + stages of typed instructions (BuildKit's instructions.Parse).
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { parseInstruction } from '../instructions/parse-instruction.js';
import type { ArgInstruction, FromInstruction, StageCommand } from '../instructions/types.js';
import type { DockerfileAst } from '../parser/ast.js';
import type { DockerfileStages, Stage } from './types.js';

export interface ParseStagesOptions {
  /** File name for error locations; `Dockerfile` by default. */
  readonly file?: string;
}

interface StageDraft {
  readonly from: FromInstruction;
  readonly commands: StageCommand[];
}

/**
 * Types every instruction and groups them into stages. Throws the first instruction error; an instruction
 * other than ARG before the first FROM is an E_STAGE error.
 */
export function parseStages(ast: DockerfileAst, options: ParseStagesOptions = {}): DockerfileStages {
  const file = options.file ?? 'Dockerfile';
  const metaArgs: ArgInstruction[] = [];
  const drafts: StageDraft[] = [];
  for (const node of ast.children) {
    const instruction = parseInstruction(node, { file });
    if (instruction.kind === 'from') {
      drafts.push({ from: instruction, commands: [] });
      continue;
    }
    const current = drafts[drafts.length - 1];
    if (current === undefined) {
      if (instruction.kind === 'arg') {
        metaArgs.push(instruction);
        continue;
      }
      throw new KilnError(ErrorCode.Stage, 'no build stage in current context', {
        location: { file, range: instruction.range },
        hint: `${instruction.keyword.toUpperCase()} must come after a FROM instruction`,
      });
    }
    current.commands.push(instruction);
  }
  const stages: Stage[] = drafts.map((draft, index) => {
    const last = draft.commands[draft.commands.length - 1] ?? draft.from;
    return {
      index,
      ...(draft.from.stageName === undefined ? {} : { name: draft.from.stageName }),
      from: draft.from,
      commands: draft.commands,
      comment: draft.from.comment,
      range: { start: draft.from.range.start, end: last.range.end },
    };
  });
  return { metaArgs, stages };
}
