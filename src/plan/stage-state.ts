/**
 * What planning one stage keeps track of while walking its instructions (a private working value of
 * one `planStage` call), and the build-wide context the per-instruction planners read.
 */

import { addEnv, parseKeyValue } from '../dockerfile/stages/env-list.js';
import type { BuildArgUse, ResolvedStage } from '../dockerfile/stages/types.js';
import type { SourceLocation, SourceRange } from '../errors.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { History } from '../oci/types.js';
import type { OpGraph } from './op-graph.js';
import type { ExecSettings, OpId, PlanStep } from './types.js';
import type { WorkingImage } from './working-image.js';

/** An ARG declared in the stage (or inherited from its base stage), for the `|N K=v` history prefix. */
export interface DeclaredArg {
  readonly key: string;
  readonly value?: string;
}

/** Build-wide inputs of per-instruction planning. */
export interface PlanContext {
  readonly graph: OpGraph;
  readonly file: string;
  readonly targetPlatform: PlatformSpec;
  /** SOURCE_DATE_EPOCH as an ISO time: recorded in file ops (so it is part of their keys). */
  readonly epoch?: string;
  /** History `created` time (the epoch, or the injected clock's time). */
  readonly created?: string;
  /** `--add-host` / `--shm-size`, copied into every exec op. */
  readonly exec: ExecSettings;
  /** The final op of stage `index`, planning it first when needed. */
  stageResult(index: number, site: SourceLocation): OpId;
}

/** Mutable state of one stage being planned. */
export interface StageState {
  readonly stage: ResolvedStage;
  readonly platform: PlatformSpec;
  readonly image: WorkingImage;
  /** The op holding the current filesystem. */
  current: OpId;
  /** The process environment later RUNs see (image env, ENV, ARG values), in BuildKit's order. */
  stateEnv: readonly string[];
  /** Keys set by the image env or ENV: an ARG of the same name does not override them. */
  readonly envKeys: Set<string>;
  readonly declaredArgs: DeclaredArg[];
  cmdSet: boolean;
  readonly steps: PlanStep[];
  readonly layerOps: OpId[];
  /** Ops made so far in this stage (for ids). */
  opCount: number;
  /** Progress counter: `[name i/total]`. */
  progressIndex: number;
  readonly progressTotal: number;
  readonly progressPrefix: string;
}

/** A fresh id for the next op of a stage: `s<stage>.<n>`. */
export function nextOpId(state: StageState): OpId {
  state.opCount += 1;
  return `s${state.stage.index}.${state.opCount}`;
}

/** BuildKit's progress name prefix `[stage 2/5] ` for layer-producing steps. */
export function progressName(state: StageState, text: string, onbuild: boolean): string {
  if (state.progressTotal === 0) return text;
  state.progressIndex += 1;
  const width = String(state.progressTotal).length;
  const counter = `${String(state.progressIndex).padStart(width, ' ')}/${state.progressTotal}`;
  return `[${state.progressPrefix}${counter}] ${onbuild ? 'ONBUILD ' : ''}${text}`;
}

/** The instruction text with its keyword uppercased (progress names). */
export function displayText(original: string): string {
  const space = original.indexOf(' ');
  return space < 0 ? original.toUpperCase() : original.slice(0, space).toUpperCase() + original.slice(space);
}

export function locationOf(ctx: PlanContext, range: SourceRange): SourceLocation {
  return { file: ctx.file, range };
}

/** Sets `key` in the process environment of later RUNs. */
export function setStateEnv(state: StageState, key: string, value: string): void {
  state.stateEnv = addEnv(state.stateEnv, key, value);
}

/** Looks a key up in the process environment. */
export function stateEnvValue(state: StageState, key: string): string | undefined {
  for (const entry of state.stateEnv) {
    const kv = parseKeyValue(entry);
    if (kv.key === key) return kv.value;
  }
  return undefined;
}

/** Appends a history entry to the working image and returns it. */
export function recordHistory(
  state: StageState,
  ctx: PlanContext,
  createdBy: string,
  emptyLayer: boolean,
): History {
  const entry: History = {
    ...(ctx.created === undefined ? {} : { created: ctx.created }),
    created_by: createdBy,
    comment: 'buildkit.dockerfile.v0',
    ...(emptyLayer ? { empty_layer: true } : {}),
  };
  state.image.history.push(entry);
  return entry;
}

/** Args the instruction used that may be recorded (proxy args never are). */
export function recordedArgs(used: readonly BuildArgUse[]): readonly BuildArgUse[] {
  return used.filter((u) => u.inHistory);
}
