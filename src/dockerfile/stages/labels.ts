/**
 * The labels a stage's image ends up with: its base stage's labels (FROM <stage>) plus its own LABELs.
 * COPY --from never imports another stage's config.
 */
import type { ResolvedStage } from './types.js';

/** Labels of stage `index` after its LABEL instructions (base-stage labels first, later keys win). */
export function stageLabels(
  stages: readonly ResolvedStage[],
  index: number,
): Readonly<Record<string, string>> {
  const chain: ResolvedStage[] = [];
  const seen = new Set<number>();
  let current: ResolvedStage | undefined = stages[index];
  while (current !== undefined && !seen.has(current.index)) {
    seen.add(current.index);
    chain.unshift(current);
    current = current.base.kind === 'stage' ? stages[current.base.index] : undefined;
  }
  const labels: Record<string, string> = {};
  for (const stage of chain) {
    for (const { instruction } of stage.instructions) {
      if (instruction.kind === 'label') for (const l of instruction.labels) labels[l.key] = l.value;
    }
  }
  return labels;
}
