/**
 * Expands a whole Dockerfile as BuildKit scopes variables: meta ARGs (before the first FROM) are visible on
 * FROM lines only, unless redeclared inside a stage; stage ARGs count from their line on; ENV wins over ARG;
 * `--build-arg` overrides defaults; TARGET and BUILD platform args are predefined; proxy args need no ARG.
 */
import { ErrorCode, KilnError, type SourceRange } from '../../errors.js';
import type { ArgDeclaration, StageCommand } from '../instructions/types.js';
import { suggest } from '../instructions/suggest.js';
import { platformArgs } from './build-args.js';
import { CheckRule, type Finding, Messages } from './diagnostics.js';
import { makeExpander } from './expander.js';
import { type ResolveContext, resolveInstruction } from './resolve-instruction.js';
import { newScope, scopeEnv } from './scope.js';
import type {
  BuildArgUse,
  DockerfileStages,
  MetaArg,
  PlatformSpec,
  ResolvedInstruction,
  ResolvedStage,
  Stage,
  StageBase,
} from './types.js';
import type { Env, LexOptions, WordLexer } from './word-lexer.js';

const DEFAULT_PLATFORM: PlatformSpec = { os: 'linux', architecture: 'amd64' };

export interface ResolveOptions {
  readonly lexer: WordLexer;
  /** File name for locations; `Dockerfile` by default. */
  readonly file?: string;
  readonly escapeToken?: '\\' | '`';
  /** `--build-arg` values. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Platform being built for; linux/amd64 by default. */
  readonly targetPlatform?: PlatformSpec;
  /** Platform of the builder; linux/amd64 by default. */
  readonly buildPlatform?: PlatformSpec;
  /**
   * The environment of an external base image, when known (it takes part in expansion like ENV).
   * Without it, UndefinedVar is not reported for stages on that image.
   */
  readonly imageEnv?: (ref: string) => Readonly<Record<string, string>> | undefined;
}

export interface ResolvedBuild {
  readonly metaArgs: readonly MetaArg[];
  readonly stages: readonly ResolvedStage[];
  /** UndefinedVar / UndefinedArgInFrom findings. */
  readonly findings: readonly Finding[];
  /** `--build-arg` names some ARG declared (meta ARGs and every stage). */
  readonly consumedBuildArgs: readonly string[];
  /** Per stage, the --build-arg names its ARGs declared (for the unused-arg check on the reachable set). */
  readonly consumedByStage: readonly (readonly string[])[];
  readonly consumedByMeta: readonly string[];
}

interface MetaDecl {
  readonly decl: ArgDeclaration;
  readonly range: SourceRange;
}

/** Meta ARGs in order: --build-arg wins over the default, defaults see the previous meta ARGs. */
function resolveMetaArgs(
  decls: readonly MetaDecl[],
  buildArgs: ReadonlyMap<string, string>,
  predefined: Readonly<Record<string, string>>,
  global: Record<string, string>,
  expand: (word: string, env: Env, range: SourceRange) => string,
): { metaArgs: MetaArg[]; consumed: string[] } {
  const metaArgs: MetaArg[] = [];
  const consumed: string[] = [];
  for (const { decl, range } of decls) {
    let value: string | undefined;
    if (buildArgs.has(decl.key)) {
      value = buildArgs.get(decl.key);
      consumed.push(decl.key);
    } else if (Object.hasOwn(predefined, decl.key)) {
      value = predefined[decl.key];
    } else if (decl.value !== undefined) {
      value = expand(decl.value, { ...global }, range);
    }
    if (value !== undefined) global[decl.key] = value;
    else delete global[decl.key];
    metaArgs.push({ key: decl.key, ...(value === undefined ? {} : { value }), comment: decl.comment });
  }
  return { metaArgs, consumed };
}

interface StageBaseInfo {
  readonly base: StageBase;
  readonly env: Env;
  readonly envKnown: boolean;
}

function baseOf(
  baseName: string,
  stage: Stage,
  done: readonly ResolvedStage[],
  knownEnv: readonly boolean[],
  options: ResolveOptions,
): StageBaseInfo {
  const lower = baseName.toLowerCase();
  const earlier = done.find((s) => s.name !== undefined && s.name === lower);
  if (earlier !== undefined) {
    return { base: { kind: 'stage', index: earlier.index }, env: earlier.env, envKnown: knownEnv[earlier.index]! };
  }
  if (lower === 'scratch') return { base: { kind: 'scratch' }, env: {}, envKnown: true };
  void stage;
  const env = options.imageEnv?.(baseName);
  return { base: { kind: 'image', ref: baseName }, env: env ?? {}, envKnown: env !== undefined };
}

/** Expands every stage (all of them, as `--check` lints all); throws on expansion and reference errors. */
export function resolveBuild(parsed: DockerfileStages, options: ResolveOptions): ResolvedBuild {
  const file = options.file ?? 'Dockerfile';
  const lexOptions: LexOptions = options.escapeToken === undefined ? {} : { escapeToken: options.escapeToken };
  const escape = lexOptions;
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  const predefined = platformArgs(options.targetPlatform ?? DEFAULT_PLATFORM, options.buildPlatform ?? DEFAULT_PLATFORM);
  const findings: Finding[] = [];
  const consumedAll = new Set<string>();

  // Meta ARGs: expanded in order against the predefined args and the previous meta ARGs.
  const global: Record<string, string> = { ...predefined };
  const metaDecls = parsed.metaArgs.flatMap((a) => a.args.map((decl) => ({ decl, range: a.range })));
  const meta = resolveMetaArgs(metaDecls, buildArgs, predefined, global, (word, env, range) =>
    makeExpander({ lexer: options.lexer, env, lexOptions, location: { file, range } }).word(word),
  );
  for (const name of meta.consumed) consumedAll.add(name);
  const metaValues = new Map(meta.metaArgs.map((m) => [m.key, m.value]));
  const metaKeys = meta.metaArgs.map((m) => m.key);

  const stageNames = parsed.stages.map((s) => s.name);
  const done: ResolvedStage[] = [];
  const knownEnv: boolean[] = [];
  const consumedByStage: string[][] = [];
  for (const stage of parsed.stages) {
    const consumedHere: string[] = [];
    const context: ResolveContext = {
      file,
      buildArgs,
      metaArgs: metaValues,
      platformArgs: predefined,
      stageNames,
      consume: (name) => {
        consumedAll.add(name);
        if (!consumedHere.includes(name)) consumedHere.push(name);
      },
    };
    const from = stage.from;
    const location = { file, range: from.range };
    const fromEx = makeExpander({ lexer: options.lexer, env: global, lexOptions, location });
    const baseName = fromEx.word(from.baseName);
    const platform = from.platform === undefined ? undefined : fromEx.word(from.platform);
    for (const name of fromEx.unmatched) {
      if (metaKeys.includes(name) || Object.hasOwn(predefined, name)) continue;
      findings.push({
        code: CheckRule.UndefinedArgInFrom,
        message: Messages.undefinedArgInFrom(name, suggest(name, metaKeys)),
        range: from.range,
      });
    }
    if (baseName === '') {
      throw new KilnError(ErrorCode.DockerfileInstruction, `base name (${from.baseName}) should not be blank`, {
        location,
      });
    }
    const fromBuildArgs: BuildArgUse[] = [...fromEx.matched]
      .filter((n) => metaValues.has(n))
      .map((n) => ({ name: n, value: global[n]!, inHistory: true }));
    const info = baseOf(baseName, stage, done, knownEnv, options);
    const scope = newScope(info.env, info.envKnown);
    const instructions: ResolvedInstruction[] = [];
    for (const cmd of stage.commands) {
      const ex = makeExpander({
        lexer: options.lexer,
        env: scopeEnv(scope),
        lexOptions,
        location: { file, range: cmd.range },
      });
      const declaredBefore = new Set(scope.args.keys());
      const result = resolveInstruction(cmd, scope, ex, context, escape);
      instructions.push(result);
      if (scope.envKnown) reportUndefined(cmd, ex.unmatched, declaredBefore, scopeEnv(scope), findings);
    }
    const dependsOn = new Set<number>();
    if (info.base.kind === 'stage') dependsOn.add(info.base.index);
    for (const r of instructions) for (const s of r.sources) if (s.kind === 'stage') dependsOn.add(s.index);
    done.push({
      index: stage.index,
      ...(stage.name === undefined ? {} : { name: stage.name }),
      displayName: stage.name ?? `stage-${stage.index}`,
      baseName,
      base: info.base,
      ...(platform === undefined ? {} : { platform }),
      from,
      instructions,
      fromBuildArgs,
      dependsOn: [...dependsOn].sort((a, b) => a - b),
      env: Object.fromEntries(scope.env),
      comment: stage.comment,
      range: stage.range,
    });
    knownEnv.push(info.envKnown);
    consumedByStage.push(consumedHere);
  }
  return {
    metaArgs: meta.metaArgs,
    stages: done,
    findings,
    consumedBuildArgs: [...consumedAll],
    consumedByStage,
    consumedByMeta: meta.consumed,
  };
}

function reportUndefined(
  cmd: StageCommand,
  unmatched: ReadonlySet<string>,
  declared: ReadonlySet<string>,
  env: Env,
  findings: Finding[],
): void {
  for (const name of unmatched) {
    if (declared.has(name)) continue;
    findings.push({
      code: CheckRule.UndefinedVar,
      message: Messages.undefinedVar(name, suggest(name, Object.keys(env))),
      range: cmd.range,
    });
  }
}
