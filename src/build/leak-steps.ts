/**
 * Ties what the leak scan looks at back to the build's steps: the step behind each new layer and
 * each history entry (so a leak report names the Dockerfile line), and, when a leak is found, the
 * cache records to forget so that the leaking layers are never reused by a later build.
 */
import type { History } from '../oci/types.js';
import type { BuildPlan, Op, OpId } from '../plan/index.js';
import type { LeakStep } from '../secrets/index.js';
import type { CacheIndex } from '../solver/cache-index.js';
import type { LayerResult } from '../worker/types.js';

function stepOf(op: Op | undefined, file: string): LeakStep | undefined {
  if (op === undefined) return undefined;
  return { name: op.name, ...(op.range === undefined ? {} : { location: { file, range: op.range } }) };
}

/** The non-empty layers of `built` (one per plan layer op) and the history entries, with their steps. */
export function leakSteps(
  plan: BuildPlan,
  built: readonly LayerResult[],
  file: string,
): {
  readonly layers: readonly {
    readonly diffID: LayerResult['diffID'];
    readonly op: OpId;
    readonly step?: LeakStep;
  }[];
  readonly historySteps: readonly (LeakStep | undefined)[];
} {
  const ops = new Map(plan.ops.map((op) => [op.id, op]));
  const layers = plan.layerOps.flatMap((id, i) => {
    const layer = built[i];
    if (layer === undefined || layer.emptyLayer) return [];
    const step = stepOf(ops.get(id), file);
    return [{ diffID: layer.diffID, op: id, ...(step === undefined ? {} : { step }) }];
  });
  const byEntry = new Map<History, OpId>();
  for (const stage of plan.stages) {
    for (const step of stage.steps) if (step.history !== undefined) byEntry.set(step.history, step.op);
  }
  // finalImageConfig keeps the planned history's order, one entry for one entry.
  const historySteps = (plan.image.history ?? []).map((entry) => {
    const op = byEntry.get(entry);
    return op === undefined ? undefined : stepOf(ops.get(op), file);
  });
  return { layers, historySteps };
}

/**
 * Forgets the cache records of the leaking layers' ops and of every step that mounted a secret: a
 * rebuild runs them again with the current secret values (a changed secret does not change cache
 * keys), so the scan sees what they write now instead of a cached layer holding an older value.
 */
export async function forgetLeakedSteps(
  plan: BuildPlan,
  keys: ReadonlyMap<OpId, string>,
  cache: CacheIndex,
  leakingOps: readonly OpId[],
): Promise<void> {
  const forget = new Set<OpId>(leakingOps);
  for (const op of plan.ops) {
    if (op.kind === 'exec' && op.mounts.some((m) => m.type === 'secret')) forget.add(op.id);
  }
  for (const id of forget) {
    const key = keys.get(id);
    if (key !== undefined) await cache.delete(key).catch(() => undefined);
  }
}
