/**
 * ONBUILD triggers of a base *stage*: a stage built `FROM <stage>` first runs that stage's own ONBUILD
 * instructions (as BuildKit does with the base image config's OnBuild list, which it then clears, so
 * triggers fire one level down only). Triggers of external images need their config: the solver's job.
 */
import { parseInstruction } from '../instructions/parse-instruction.js';
import type { StageCommand } from '../instructions/types.js';
import { parseDockerfile } from '../parser/index.js';
import type { ResolvedStage } from './types.js';

/** The base stage's ONBUILD triggers as typed commands, located at their ONBUILD lines. */
export function onbuildTriggers(base: ResolvedStage, file: string): readonly StageCommand[] {
  const commands: StageCommand[] = [];
  for (const { instruction } of base.instructions) {
    if (instruction.kind !== 'onbuild') continue;
    const ast = parseDockerfile(instruction.expression, { file });
    for (const node of ast.children) {
      const typed = parseInstruction({ ...node, range: instruction.range }, { file });
      // FROM/ONBUILD/MAINTAINER triggers were refused when the ONBUILD itself was parsed.
      if (typed.kind !== 'from') commands.push(typed);
    }
  }
  return commands;
}
