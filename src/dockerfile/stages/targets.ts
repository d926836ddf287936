/**
 * Target selection, the stages a target needs, and dependency cycles.
 */
import { ErrorCode, KilnError, type SourceRange } from '../../errors.js';
import type { ResolvedStage } from './types.js';

/** The target stage: by name (case-insensitive), or the last stage when no target is given. */
export function selectTarget(
  stages: readonly ResolvedStage[],
  target: string | undefined,
  file: string,
): ResolvedStage {
  const last = stages[stages.length - 1];
  if (last === undefined) {
    throw new KilnError(ErrorCode.Stage, 'the Dockerfile has no build stage (no FROM instruction)', {
      location: { file, range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } } },
    });
  }
  if (target === undefined || target === '') return last;
  const lower = target.toLowerCase();
  const found = stages.find((s) => s.name === lower);
  if (found === undefined) {
    const names = stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
    throw new KilnError(ErrorCode.Stage, `failed to reach build target ${target} in Dockerfile`, {
      location: { file, range: last.range },
      hint: names.length > 0 ? `stages: ${names.join(', ')}` : 'no stage has a name (use FROM ... AS <name>)',
    });
  }
  return found;
}

/** Why a stage depends on another: the instruction range (FROM line, COPY --from, RUN --mount). */
function dependencyRange(stage: ResolvedStage, dep: number): SourceRange {
  if (stage.base.kind === 'stage' && stage.base.index === dep) return stage.from.range;
  const r = stage.instructions.find((i) => i.sources.some((s) => s.kind === 'stage' && s.index === dep));
  return r?.instruction.range ?? stage.from.range;
}

/**
 * Throws E_STAGE `circular dependency detected on stage: <name>` (located at the instruction that closes
 * the cycle) when stages depend on each other in a loop. Stages are visited in Dockerfile order.
 */
export function checkCycles(stages: readonly ResolvedStage[], file: string): void {
  const visited = new Set<number>();
  const onPath = new Set<number>();
  const visit = (index: number): { from: number; to: number } | undefined => {
    if (visited.has(index)) return undefined;
    visited.add(index);
    onPath.add(index);
    for (const dep of stages[index]!.dependsOn) {
      if (onPath.has(dep)) return { from: index, to: dep };
      const found = visit(dep);
      if (found !== undefined) return found;
    }
    onPath.delete(index);
    return undefined;
  };
  for (const stage of stages) {
    const edge = visit(stage.index);
    if (edge !== undefined) {
      throw new KilnError(ErrorCode.Stage, `circular dependency detected on stage: ${stage.displayName}`, {
        location: { file, range: dependencyRange(stages[edge.from]!, edge.to) },
      });
    }
  }
}

/** Indexes of the stages `target` needs, itself included, in Dockerfile order. */
export function reachableStages(stages: readonly ResolvedStage[], target: number): readonly number[] {
  const seen = new Set<number>();
  const stack = [target];
  while (stack.length > 0) {
    const index = stack.pop()!;
    if (seen.has(index)) continue;
    seen.add(index);
    stack.push(...stages[index]!.dependsOn);
  }
  return [...seen].sort((a, b) => a - b);
}
