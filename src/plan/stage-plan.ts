/**
 * One stage → ops and image: starts from the base (scratch, image, or base stage), then plans each
 * instruction in order (ONBUILD triggers first): RUN → exec, COPY/ADD → file (+merge), WORKDIR → mkdir,
 * everything else → a meta op with its config effect. Returns the stage plan plus what child stages inherit.
 */

import type { WorkdirInstruction } from '../dockerfile/instructions/types.js';
import { isProxyArg } from '../dockerfile/stages/build-args.js';
import { parseKeyValue } from '../dockerfile/stages/env-list.js';
import type { ResolvedInstruction, ResolvedStage } from '../dockerfile/stages/types.js';
import { ErrorCode, KilnError } from '../errors.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { ImageConfig } from '../oci/types.js';
import { applyConfigInstruction, type ConfigContext, type ConfigInstruction } from './config-effects.js';
import { planCopy } from './copy-plan.js';
import { planRun } from './exec-plan.js';
import { normalizeWorkdir } from './paths.js';
import {
  type DeclaredArg,
  displayText,
  locationOf,
  nextOpId,
  type PlanContext,
  progressName,
  recordedArgs,
  recordHistory,
  type StageState,
  setStateEnv,
} from './stage-state.js';
import type { MetaOp, OpId, StagePlan } from './types.js';
import {
  cloneImage,
  emptyImage,
  ensurePath,
  finishImage,
  imageFromConfig,
  type WorkingImage,
} from './working-image.js';

/** A planned stage and what a stage built FROM it inherits. */
export interface StageOutcome {
  readonly plan: StagePlan;
  readonly image: WorkingImage;
  readonly stateEnv: readonly string[];
  readonly envKeys: ReadonlySet<string>;
  readonly declaredArgs: readonly DeclaredArg[];
}

/** What the stage starts from. */
export type StageStart =
  | { readonly kind: 'scratch' }
  /** `config` undefined: the image's config is not known (treated as an empty config). */
  | { readonly kind: 'image'; readonly ref: string; readonly config?: ImageConfig }
  | { readonly kind: 'stage'; readonly outcome: StageOutcome };

export interface PlanStageInput {
  readonly stage: ResolvedStage;
  readonly start: StageStart;
  readonly platform: PlatformSpec;
  /** Resolved ONBUILD triggers of a base image, run first. */
  readonly imageTriggers: readonly ResolvedInstruction[];
  /** `[name ` prefix of progress names ('' when the Dockerfile has one stage). */
  readonly progressPrefix: string;
  /** `--label` overrides (target stage only). */
  readonly labels?: Readonly<Record<string, string>>;
}

function startImage(start: StageStart, platform: PlatformSpec): WorkingImage {
  switch (start.kind) {
    case 'scratch':
      return emptyImage(platform);
    case 'image':
      if (start.config !== undefined) return imageFromConfig(start.config);
      return { ...emptyImage(platform), config: {} };
    case 'stage': {
      const image = cloneImage(start.outcome.image);
      delete image.config.OnBuild;
      return image;
    }
    default: {
      const never: never = start;
      throw new KilnError(ErrorCode.Internal, `unknown stage start ${JSON.stringify(never)}`);
    }
  }
}

/** No diff ids and no history entry with a layer. */
function isLayerless(config: ImageConfig): boolean {
  return config.rootfs.diff_ids.length === 0 && (config.history ?? []).every((h) => h.empty_layer === true);
}

function baseOpOf(start: StageStart, platform: PlatformSpec, ctx: PlanContext): OpId {
  switch (start.kind) {
    case 'scratch':
      return ctx.graph.source({ kind: 'scratch' });
    case 'image':
      // An image without layers is scratch with a config (as BuildKit treats it).
      return start.config !== undefined && isLayerless(start.config)
        ? ctx.graph.source({ kind: 'scratch' })
        : ctx.graph.image(start.ref, platform);
    case 'stage':
      return start.outcome.plan.result;
    default: {
      const never: never = start;
      throw new KilnError(ErrorCode.Internal, `unknown stage start ${JSON.stringify(never)}`);
    }
  }
}

const LAYER_KINDS: ReadonlySet<string> = new Set(['run', 'copy', 'add', 'workdir']);

function initialState(input: PlanStageInput, ctx: PlanContext, instructions: readonly ResolvedInstruction[]) {
  const { start, platform, stage } = input;
  const image = startImage(start, platform);
  ensurePath(image);
  const inherited = start.kind === 'stage' ? start.outcome : undefined;
  let progressTotal = start.kind === 'image' ? 1 : 0;
  for (const r of instructions) if (LAYER_KINDS.has(r.instruction.kind)) progressTotal += 1;
  const state: StageState = {
    stage,
    platform,
    image,
    current: baseOpOf(start, platform, ctx),
    stateEnv: inherited?.stateEnv ?? [],
    envKeys: new Set(inherited?.envKeys ?? []),
    declaredArgs: [...(inherited?.declaredArgs ?? [])],
    cmdSet: false,
    steps: [],
    layerOps: [],
    opCount: 0,
    progressIndex: start.kind === 'image' ? 1 : 0,
    progressTotal,
    progressPrefix: input.progressPrefix,
  };
  for (const entry of image.config.Env ?? []) {
    const { key, value } = parseKeyValue(entry);
    setStateEnv(state, key, value);
    state.envKeys.add(key);
  }
  return state;
}

function addMeta(state: StageState, ctx: PlanContext, r: ResolvedInstruction, createdBy: string | undefined) {
  const text = createdBy ?? displayText(r.instruction.original);
  const op: MetaOp = {
    kind: 'meta',
    id: nextOpId(state),
    inputs: [state.current],
    stage: state.stage.index,
    name: text,
    range: r.instruction.range,
    usedArgs: recordedArgs(r.buildArgs),
    instruction: r.instruction.kind,
    createdBy: text,
  };
  ctx.graph.add(op);
  const history = createdBy === undefined ? undefined : recordHistory(state, ctx, createdBy, true);
  state.steps.push({
    instruction: r.instruction.kind,
    op: op.id,
    onbuild: r.onbuild,
    ...(history === undefined ? {} : { history }),
  });
}

function planWorkdir(
  state: StageState,
  ctx: PlanContext,
  r: ResolvedInstruction,
  c: WorkdirInstruction,
): void {
  const wd = normalizeWorkdir(state.image.config.WorkingDir ?? '', c.path);
  state.image.config.WorkingDir = wd;
  const name = progressName(state, displayText(c.original), r.onbuild);
  if (wd === '/') {
    addMeta(state, ctx, r, `WORKDIR ${wd}`);
    return;
  }
  const user = state.image.config.User;
  const id = nextOpId(state);
  ctx.graph.add({
    kind: 'file',
    id,
    inputs: [state.current],
    stage: state.stage.index,
    name,
    range: c.range,
    usedArgs: recordedArgs(r.buildArgs),
    base: state.current,
    actions: [
      {
        kind: 'mkdir',
        path: wd,
        mode: 0o755,
        parents: true,
        ...(user === undefined || user === '' ? {} : { user }),
        ...(ctx.epoch === undefined ? {} : { createdTime: ctx.epoch }),
      },
    ],
  });
  const history = recordHistory(state, ctx, `WORKDIR ${wd}`, false);
  state.steps.push({ instruction: 'workdir', op: id, onbuild: r.onbuild, history });
  state.layerOps.push(id);
  state.current = id;
}

function planConfig(state: StageState, ctx: PlanContext, r: ResolvedInstruction, c: ConfigInstruction): void {
  const config: ConfigContext = { cmdSet: state.cmdSet, location: locationOf(ctx, c.range) };
  const createdBy = applyConfigInstruction(state.image, c, config);
  state.cmdSet = config.cmdSet;
  if (c.kind === 'env') {
    for (const pair of c.env) {
      setStateEnv(state, pair.key, pair.value);
      state.envKeys.add(pair.key);
    }
  }
  if (c.kind === 'arg') {
    for (const decl of c.args) {
      if (isProxyArg(decl.key)) continue;
      state.declaredArgs.push(
        decl.value === undefined ? { key: decl.key } : { key: decl.key, value: decl.value },
      );
      if (decl.value !== undefined && !state.envKeys.has(decl.key)) setStateEnv(state, decl.key, decl.value);
    }
  }
  addMeta(state, ctx, r, createdBy);
}

function planInstruction(state: StageState, ctx: PlanContext, r: ResolvedInstruction): void {
  const c = r.instruction;
  switch (c.kind) {
    case 'run':
      planRun(state, { ...r, instruction: c }, ctx);
      return;
    case 'copy':
    case 'add':
      planCopy(state, { ...r, instruction: c }, ctx);
      return;
    case 'workdir':
      planWorkdir(state, ctx, r, c);
      return;
    case 'from':
      throw new KilnError(ErrorCode.Internal, 'FROM inside a stage', { location: locationOf(ctx, c.range) });
    default:
      planConfig(state, ctx, r, c);
  }
}

/** Plans one stage; its dependencies (base stage, COPY --from stages) are planned through `ctx`. */
export function planStage(input: PlanStageInput, ctx: PlanContext): StageOutcome {
  const instructions = [...input.imageTriggers, ...input.stage.instructions];
  const state = initialState(input, ctx, instructions);
  const baseOp = state.current;
  if (input.imageTriggers.length > 0) delete state.image.config.OnBuild;
  for (const r of instructions) planInstruction(state, ctx, r);
  const { stage } = input;
  const inheritedLayers = input.start.kind === 'stage' ? input.start.outcome.plan.layerOps : [];
  const plan: StagePlan = {
    index: stage.index,
    ...(stage.name === undefined ? {} : { name: stage.name }),
    displayName: stage.displayName,
    base: stage.base,
    platform: input.platform,
    baseOp,
    result: state.current,
    steps: state.steps,
    image: finishImage(state.image, {
      ...(ctx.created === undefined ? {} : { created: ctx.created }),
      platform: input.platform,
      ...(input.labels === undefined ? {} : { labels: input.labels }),
    }),
    layerOps: [...inheritedLayers, ...state.layerOps],
  };
  return {
    plan,
    image: state.image,
    stateEnv: state.stateEnv,
    envKeys: state.envKeys,
    declaredArgs: state.declaredArgs,
  };
}
