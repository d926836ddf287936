/**
 * Running a build plan: every op is resolved once its inputs are, so independent stages proceed in
 * parallel (running steps bounded by `jobs`). An exec or file op is first looked up in the cache index
 * by its key; a hit costs nothing (no rootfs is materialised, nothing runs), a miss runs in the worker
 * and records its layer. Ops with the same key (the same work reached twice) run once.
 */
import { stat } from 'node:fs/promises';
import { assertNever, ErrorCode, isKilnError, KilnError, type SourceLocation } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { BuildPlan, ContextSelection, Op, OpId } from '../plan/index.js';
import { type ProgressEmitter, toProgressError } from '../progress/index.js';
import type { ResolvedImage } from '../store/index.js';
import { chainDir } from '../worker/chains.js';
import { layerSnapshotDir } from '../worker/commit-layer.js';
import { EMPTY_FS, type FsState, type LayerResult, type WorkerEnv } from '../worker/types.js';
import type { CacheIndex } from './cache-index.js';
import { displayRef } from './display-ref.js';
import { Limiter } from './limiter.js';

async function loadWorker() {
  const [{ runExecOp }, { runFileOp }] = await Promise.all([
    import('../worker/exec-op.js'),
    import('../worker/file-op.js'),
  ]);
  return { runExecOp, runFileOp };
}

/** What an op left behind. */
export interface OpOutcome {
  readonly fs: FsState;
  /** The layer of an exec/file op (or of the upper side of a merge). */
  readonly layer?: LayerResult;
  /** True when the layer came from the cache index. */
  readonly cached: boolean;
}

export interface SolveOptions {
  readonly plan: BuildPlan;
  /** Cache keys of every op (see plan's computeCacheKeys). */
  readonly keys: ReadonlyMap<OpId, string>;
  /** Resolved image of every image source op (except those in `sourceDirs`). */
  readonly images: ReadonlyMap<OpId, ResolvedImage>;
  /** Source ops whose content is a plain directory: ADD downloads, local `--build-context` dirs. */
  readonly sourceDirs?: ReadonlyMap<OpId, string>;
  /** Source ops whose directory is made only when a step that reads them must run (git checkouts). */
  readonly lazySourceDirs?: ReadonlyMap<OpId, () => Promise<string>>;
  readonly env: WorkerEnv;
  readonly cache: CacheIndex;
  /** Ops whose cache entries must not be used (--no-cache, --no-cache-filter). */
  readonly skipCache: (op: Op) => boolean;
  /** Steps running at once. */
  readonly jobs: number;
  readonly emit: ProgressEmitter;
  /** Dockerfile name for error locations. */
  readonly file: string;
  /** Called on the first failure, to stop steps still running (e.g. aborts the worker's signal). */
  readonly onFailure?: () => void;
}

interface Solver {
  readonly options: SolveOptions;
  readonly byId: ReadonlyMap<OpId, Op>;
  readonly selections: ReadonlyMap<string, ContextSelection>;
  readonly outcomes: Map<OpId, Promise<OpOutcome>>;
  readonly byKey: Map<
    string,
    Promise<{ readonly layer: LayerResult; readonly fs: FsState; readonly cached: boolean }>
  >;
  readonly settled: Map<OpId, OpOutcome>;
  readonly limiter: Limiter;
}

function locationOf(s: Solver, op: Op): SourceLocation | undefined {
  return op.range === undefined ? undefined : { file: s.options.file, range: op.range };
}

function stageName(s: Solver, op: Op): string | undefined {
  if (op.stage === undefined) return undefined;
  const stage = s.options.plan.stages.find((st) => st.index === op.stage);
  return stage?.name ?? String(op.stage);
}

function settledFs(s: Solver, id: OpId): FsState {
  const outcome = s.settled.get(id);
  if (outcome === undefined) throw new KilnError(ErrorCode.Internal, `op ${id} used before it finished`);
  return outcome.fs;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** The filesystem after a cached layer on top of `base`. */
async function cachedFs(s: Solver, base: FsState, layer: LayerResult): Promise<FsState> {
  if (layer.emptyLayer) return base;
  const diffIDs = [...base.diffIDs, layer.diffID];
  const dir = layerSnapshotDir(s.options.env, layer.diffID);
  if (base.lowers !== undefined && (await exists(dir))) return { diffIDs, lowers: [dir, ...base.lowers] };
  const chain = chainDir(s.options.env, diffIDs);
  return chain !== undefined && (await exists(chain)) ? { diffIDs, lowers: [chain] } : { diffIDs };
}

async function lookup(s: Solver, op: Op, key: string): Promise<LayerResult | undefined> {
  if (s.options.skipCache(op)) return undefined;
  const record = await s.options.cache.get(key);
  if (record === undefined) return undefined;
  if (!record.emptyLayer) {
    // Leased first, so a concurrent `kiln prune` cannot remove the blob between check and export.
    await s.options.env.lease.add(record.diffID);
    if (!(await s.options.env.store.hasBlob(record.diffID))) return undefined;
  }
  return record;
}

/** Makes the directories of the lazy sources a step about to run reads. */
async function materializeInputs(s: Solver, op: Op): Promise<void> {
  const lazy = s.options.lazySourceDirs;
  if (lazy === undefined) return;
  await Promise.all(
    op.inputs.map(async (id) => {
      const make = lazy.get(id);
      if (make !== undefined)
        s.settled.set(id, { fs: { diffIDs: [], lowers: [await make()] }, cached: false });
    }),
  );
}

function sourceOutcome(s: Solver, op: Op & { kind: 'source' }): OpOutcome {
  // A lazy source stands empty until a step that reads it misses the cache (materializeInputs).
  if (s.options.lazySourceDirs?.has(op.id) === true)
    return { fs: { diffIDs: [], lowers: [] }, cached: false };
  const dir = s.options.sourceDirs?.get(op.id);
  if (dir !== undefined) return { fs: { diffIDs: [], lowers: [dir] }, cached: false };
  const src = op.source;
  switch (src.kind) {
    case 'scratch':
    case 'context':
      return { fs: EMPTY_FS, cached: false };
    case 'image': {
      const image = s.options.images.get(op.id);
      if (image === undefined) throw new KilnError(ErrorCode.Internal, `image ${src.ref} was not resolved`);
      const diffIDs = image.config.rootfs.diff_ids as readonly Digest[];
      const chain = chainDir(s.options.env, diffIDs);
      return { fs: { diffIDs, lowers: chain === undefined ? [] : [chain] }, cached: false };
    }
    case 'http':
    case 'git':
      // Fetched before solving (their content decides the cache key): a missing directory is a bug.
      throw new KilnError(ErrorCode.Internal, `${src.kind} source ${src.url} was not fetched`, {
        ...(locationOf(s, op) === undefined ? {} : { location: locationOf(s, op)! }),
      });
    default:
      return assertNever(src, 'source');
  }
}

async function runLayerOp(
  s: Solver,
  op: Op & { kind: 'exec' | 'file' },
  base: FsState | undefined,
): Promise<{ readonly layer: LayerResult; readonly fs: FsState; readonly cached: boolean }> {
  const key = s.options.keys.get(op.id);
  if (key === undefined) throw new KilnError(ErrorCode.Internal, `no cache key for op ${op.id}`);
  const { emit } = s.options;
  const location = locationOf(s, op);
  const stage = stageName(s, op);
  const common = {
    id: key,
    name: op.name,
    ...(stage === undefined ? {} : { stage }),
    ...(location === undefined ? {} : { location }),
  };
  const hit = await lookup(s, op, key);
  if (hit !== undefined) {
    emit({ kind: 'vertex-start', ...common, cached: true });
    emit({ kind: 'vertex-cached', id: key });
    return { layer: hit, fs: await cachedFs(s, base ?? EMPTY_FS, hit), cached: true };
  }
  await materializeInputs(s, op);
  return s.limiter.run(async () => {
    const started = Date.now();
    emit({ kind: 'vertex-start', ...common });
    try {
      // The worker (executor, snapshotter, layer engine) loads only when a step runs.
      const { runExecOp, runFileOp } = await loadWorker();
      const result =
        op.kind === 'exec'
          ? await runExecOp(s.options.env, {
              op,
              rootfs: base ?? EMPTY_FS,
              fsOf: (id) => settledFs(s, id),
              log: (stream, line) => emit({ kind: 'vertex-log', id: key, stream, line }),
              ...(location === undefined ? {} : { location }),
            })
          : await runFileOp(s.options.env, {
              op,
              base,
              fsOf: (id) => settledFs(s, id),
              selectionOf: (id) => {
                const selection = s.selections.get(id);
                if (selection === undefined)
                  throw new KilnError(ErrorCode.Internal, `unknown context selection ${id}`);
                return selection;
              },
              ...(location === undefined ? {} : { location }),
            });
      await s.options.cache.put(key, result.layer);
      emit({ kind: 'vertex-done', id: key, durationMs: Date.now() - started });
      return { ...result, cached: false };
    } catch (error) {
      const located =
        isKilnError(error) && error.location === undefined && location !== undefined
          ? new KilnError(error.code, error.message, {
              cause: error,
              location,
              ...(error.hint === undefined ? {} : { hint: error.hint }),
            })
          : error;
      const exit = /exit code: (\d+)$/.exec(
        isKilnError(error) && error.code === ErrorCode.RunFailed ? error.message : '',
      );
      emit({
        kind: 'vertex-error',
        id: key,
        error: toProgressError(located),
        ...(exit ? { exitCode: Number(exit[1]) } : {}),
        ...(location === undefined ? {} : { location }),
      });
      throw located;
    }
  });
}

async function resolveOp(s: Solver, op: Op): Promise<OpOutcome> {
  await Promise.all(op.inputs.map((id) => outcomeOf(s, id)));
  switch (op.kind) {
    case 'source':
      return sourceOutcome(s, op);
    case 'meta':
      return { fs: settledFs(s, op.inputs[0]!), cached: true };
    case 'merge': {
      const lower = settledFs(s, op.inputs[0]!);
      const upperOutcome = s.settled.get(op.inputs[1]!)!;
      const upper = upperOutcome.fs;
      const diffIDs = [...lower.diffIDs, ...upper.diffIDs];
      const lowers =
        lower.lowers !== undefined && upper.lowers !== undefined
          ? [...upper.lowers, ...lower.lowers]
          : undefined;
      return {
        fs: lowers === undefined ? { diffIDs } : { diffIDs, lowers },
        ...(upperOutcome.layer === undefined ? {} : { layer: upperOutcome.layer }),
        cached: upperOutcome.cached,
      };
    }
    case 'exec':
    case 'file': {
      const key = s.options.keys.get(op.id) ?? op.id;
      let shared = s.byKey.get(key);
      if (shared === undefined) {
        const baseId = op.kind === 'exec' ? op.rootfs : op.base;
        shared = runLayerOp(s, op, baseId === undefined ? undefined : settledFs(s, baseId));
        s.byKey.set(key, shared);
      }
      const result = await shared;
      return { fs: result.fs, layer: result.layer, cached: result.cached };
    }
    default:
      return assertNever(op, 'op');
  }
}

function outcomeOf(s: Solver, id: OpId): Promise<OpOutcome> {
  let pending = s.outcomes.get(id);
  if (pending === undefined) {
    const op = s.byId.get(id);
    if (op === undefined) throw new KilnError(ErrorCode.Internal, `unknown op ${id}`);
    pending = resolveOp(s, op).then((outcome) => {
      s.settled.set(id, outcome);
      return outcome;
    });
    pending.catch(() => undefined);
    s.outcomes.set(id, pending);
  }
  return pending;
}

const STEP_PREFIX = /^\[(.*?)(\d+)\/(\d+)\] /;

/**
 * BuildKit's `[stage 1/N] FROM ref@digest` vertex of each stage built on an image (the image was
 * resolved before solving, so it is reported done at once). Named after the stage's first step.
 */
function emitFromVertices(s: Solver): void {
  for (const stage of s.options.plan.stages) {
    const op = s.byId.get(stage.baseOp);
    if (op?.kind !== 'source' || op.source.kind !== 'image') continue;
    const first = stage.steps.map((step) => s.byId.get(step.op)?.name ?? '').find((n) => STEP_PREFIX.test(n));
    const match = first === undefined ? undefined : STEP_PREFIX.exec(first);
    const image = s.options.images.get(op.id);
    if (match === null || match === undefined || image === undefined) continue;
    const id = `from:${stage.index}`;
    const name = `[${match[1]}1/${match[3]}] FROM ${displayRef(op.source.ref)}@${image.manifestDescriptor.digest}`;
    s.options.emit({ kind: 'vertex-start', id, name, stage: stage.name ?? String(stage.index) });
    s.options.emit({ kind: 'vertex-done', id, durationMs: 0 });
  }
}

/** Solves the plan's result (and everything it needs); returns every op's outcome. */
export async function solve(options: SolveOptions): Promise<ReadonlyMap<OpId, OpOutcome>> {
  const s: Solver = {
    options,
    byId: new Map(options.plan.ops.map((op) => [op.id, op])),
    selections: new Map(options.plan.contextSelections.map((sel) => [sel.id, sel])),
    outcomes: new Map(),
    byKey: new Map(),
    settled: new Map(),
    limiter: new Limiter(options.jobs),
  };
  emitFromVertices(s);
  try {
    await outcomeOf(s, options.plan.result);
    for (const id of options.plan.layerOps) await outcomeOf(s, id);
  } catch (error) {
    // Independent stages may still be running: stop them and wait, so nothing outlives the build.
    options.onFailure?.();
    await Promise.allSettled([...s.outcomes.values(), ...s.byKey.values()]);
    throw error;
  }
  return s.settled;
}
