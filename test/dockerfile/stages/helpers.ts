/**
 * Small accessors for stage tests.
 */
import type { Instruction } from '../../../src/dockerfile/instructions/types.js';
import type { CheckResult } from '../../../src/dockerfile/stages/resolve-dockerfile.js';
import type { BuildArgUse, ResolvedStage } from '../../../src/dockerfile/stages/types.js';

/** The resolved instruction at (stage, position). */
export function instructionAt(result: CheckResult, stage: number, position: number): Instruction {
  const found = result.stages[stage]?.instructions[position]?.instruction;
  if (found === undefined) throw new Error(`no instruction ${stage}/${position}`);
  return found;
}

export function argsAt(result: CheckResult, stage: number, position: number): readonly BuildArgUse[] {
  const found = result.stages[stage]?.instructions[position]?.buildArgs;
  if (found === undefined) throw new Error(`no instruction ${stage}/${position}`);
  return found;
}

/** ENV values set by a stage's ENV instructions. */
export function envOf(stage: ResolvedStage | undefined): Readonly<Record<string, string>> {
  if (stage === undefined) throw new Error('no such stage');
  return stage.env;
}

export function codes(result: CheckResult): string[] {
  return result.diagnostics.map((d) => d.code);
}
