/**
 * `planBuild(resolved, options)`: the stages the target needs → a DAG of ops with the target image.
 * Pure: base image configs come in through `options.baseImage` (resolved by the caller beforehand).
 */

import { parseKeyValue } from '../dockerfile/stages/env-list.js';
import { selectTarget } from '../dockerfile/stages/targets.js';
import type { ResolvedStage } from '../dockerfile/stages/types.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import { type PlatformSpec, parsePlatform } from '../oci/platform.js';
import type { ImageConfig } from '../oci/types.js';
import { imageOnbuildInstructions } from './onbuild.js';
import { OpGraph } from './op-graph.js';
import { type PlanStageInput, planStage, type StageOutcome, type StageStart } from './stage-plan.js';
import type { PlanContext } from './stage-state.js';
import type { BuildPlan, ExecSettings, OpId } from './types.js';

const DEFAULT_PLATFORM: PlatformSpec = { os: 'linux', architecture: 'amd64', variant: '' };

export interface PlanOptions {
  /** Target stage name (case-insensitive); the last stage by default. */
  readonly target?: string;
  /** Platform being built for (stages without `--platform`, COPY --from images); linux/amd64 by default. */
  readonly platform?: PlatformSpec;
  /** `--label` values, applied to the target image over its LABELs. */
  readonly labels?: Readonly<Record<string, string>>;
  /** `--build-arg` values (SOURCE_DATE_EPOCH is read from here, proxies reach base-image ONBUILD RUNs). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** SOURCE_DATE_EPOCH in seconds; overrides the build arg. Sets history/config times and file times. */
  readonly sourceDateEpoch?: number;
  /** Clock for `created` when there is no SOURCE_DATE_EPOCH; without either, `created` is left out. */
  readonly now?: () => Date;
  /** The config of a base image (FROM <image>) for a platform; undefined = unknown (an empty config). */
  readonly baseImage?: (ref: string, platform: PlatformSpec) => ImageConfig | undefined;
  /** File name for error locations; `Dockerfile` by default. */
  readonly file?: string;
  readonly escapeToken?: '\\' | '`';
  /** `--add-host` entries, `--shm-size` and `--ulimit`s of every RUN step (part of their cache keys when set). */
  readonly exec?: ExecSettings;
}

/** The stages a plan reads: `resolveDockerfile` / `checkDockerfile` output fits. */
export interface PlanInput {
  readonly stages: readonly ResolvedStage[];
}

/** Go's RFC 3339 time as JSON carries it: `2024-01-02T03:04:05Z`, fractional seconds trimmed. */
export function goTime(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

function epochSeconds(options: PlanOptions): number | undefined {
  if (options.sourceDateEpoch !== undefined) return options.sourceDateEpoch;
  const raw = options.buildArgs?.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) {
    throw new KilnError(
      ErrorCode.Usage,
      `invalid SOURCE_DATE_EPOCH ${JSON.stringify(raw)}: want seconds since 1970`,
    );
  }
  return Number.parseInt(raw, 10);
}

interface Planner {
  readonly input: PlanInput;
  readonly options: PlanOptions;
  readonly file: string;
  readonly outcomes: Map<number, StageOutcome>;
  readonly inProgress: Set<number>;
  readonly targetIndex: number;
  readonly ctx: PlanContext;
}

function stagePlatform(p: Planner, stage: ResolvedStage, start: StageStart): PlatformSpec {
  const target = p.options.platform ?? DEFAULT_PLATFORM;
  if (stage.platform !== undefined) {
    try {
      return parsePlatform(stage.platform, { defaults: target });
    } catch (error) {
      throw new KilnError(ErrorCode.Platform, `failed to parse platform ${stage.platform}`, {
        cause: error,
        location: { file: p.file, range: stage.from.range },
      });
    }
  }
  return start.kind === 'stage' ? start.outcome.plan.platform : target;
}

function ensureStage(p: Planner, index: number, site: SourceLocation): StageOutcome {
  const done = p.outcomes.get(index);
  if (done !== undefined) return done;
  const stage = p.input.stages[index];
  if (stage === undefined)
    throw new KilnError(ErrorCode.Stage, `invalid stage index ${index}`, { location: site });
  if (p.inProgress.has(index)) {
    throw new KilnError(ErrorCode.Stage, `circular dependency detected on stage: ${stage.displayName}`, {
      location: site,
    });
  }
  p.inProgress.add(index);
  const fromSite = { file: p.file, range: stage.from.range };
  let start: StageStart;
  if (stage.base.kind === 'stage')
    start = { kind: 'stage', outcome: ensureStage(p, stage.base.index, fromSite) };
  else if (stage.base.kind === 'scratch') start = { kind: 'scratch' };
  else start = { kind: 'image', ref: stage.base.ref };
  const platform = stagePlatform(p, stage, start);
  let triggers: PlanStageInput['imageTriggers'] = [];
  if (start.kind === 'image') {
    const config = p.options.baseImage?.(start.ref, platform);
    start = config === undefined ? start : { ...start, config };
    const onBuild = config?.config?.OnBuild ?? [];
    if (onBuild.length > 0) {
      const env = Object.fromEntries(
        (config?.config?.Env ?? []).map((e) => {
          const kv = parseKeyValue(e);
          return [kv.key, kv.value];
        }),
      );
      triggers = imageOnbuildInstructions(onBuild, {
        site: fromSite,
        env,
        stageNames: p.input.stages.map((s) => s.name),
        ...(p.options.buildArgs === undefined ? {} : { buildArgs: p.options.buildArgs }),
        ...(p.options.escapeToken === undefined ? {} : { escapeToken: p.options.escapeToken }),
      });
    }
  }
  const outcome = planStage(
    {
      stage,
      start,
      platform,
      imageTriggers: triggers,
      progressPrefix: p.input.stages.length === 1 ? '' : `${stage.displayName} `,
      ...(index === p.targetIndex && p.options.labels !== undefined ? { labels: p.options.labels } : {}),
    },
    p.ctx,
  );
  p.inProgress.delete(index);
  p.outcomes.set(index, outcome);
  return outcome;
}

/**
 * Plans the build of the target stage: only the stages it needs (base stages, COPY --from and mount
 * sources) are planned; a base image used by several stages is one source op. Throws KilnError for
 * invalid input (bad chmod/checksum/signal, COPY from a URL, an unknown target...).
 */
export function planBuild(input: PlanInput, options: PlanOptions = {}): BuildPlan {
  const file = options.file ?? 'Dockerfile';
  const target = selectTarget(input.stages, options.target, file);
  const seconds = epochSeconds(options);
  const epoch = seconds === undefined ? undefined : goTime(new Date(seconds * 1000));
  const now = options.now?.();
  const created = epoch ?? (now === undefined ? undefined : goTime(now));
  const graph = new OpGraph();
  const ctx: PlanContext = {
    graph,
    file,
    targetPlatform: options.platform ?? DEFAULT_PLATFORM,
    ...(epoch === undefined ? {} : { epoch }),
    ...(created === undefined ? {} : { created }),
    exec: options.exec ?? {},
    stageResult: (index: number, site: SourceLocation): OpId => ensureStage(planner, index, site).plan.result,
  };
  const planner: Planner = {
    input,
    options,
    file,
    outcomes: new Map(),
    inProgress: new Set(),
    targetIndex: target.index,
    ctx,
  };
  const outcome = ensureStage(planner, target.index, { file, range: target.from.range });
  const stages = [...planner.outcomes.values()].map((o) => o.plan).sort((a, b) => a.index - b.index);
  return {
    version: 'kiln.plan.v1',
    ops: graph.ops,
    stages,
    target: target.index,
    result: outcome.plan.result,
    image: outcome.plan.image,
    layerOps: outcome.plan.layerOps,
    contextSelections: graph.selections,
  };
}
