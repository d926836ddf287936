/**
 * Expands a whole Dockerfile as BuildKit scopes variables: meta ARGs (before the first FROM) are visible on
 * FROM lines only, unless redeclared inside a stage; stage ARGs count from their line on; ENV wins over ARG;
 * `--build-arg` overrides defaults; TARGET and BUILD platform args are predefined; proxy args need no ARG.
 */
import { ErrorCode, KilnError, type SourceRange } from '../../errors.js';
import { suggest } from '../instructions/suggest.js';
import type { ArgDeclaration, FromInstruction, StageCommand } from '../instructions/types.js';
import { platformArgs } from './build-args.js';
import { CheckRule, type Finding, Messages } from './diagnostics.js';
import { makeExpander } from './expander.js';
import { onbuildTriggers } from './onbuild-triggers.js';
import { type ResolveContext, resolveInstruction } from './resolve-instruction.js';
import { newScope, type Scope, scopeEnv } from './scope.js';
import type {
  BuildArgUse,
  DockerfileStages,
  MetaArg,
  PlatformSpec,
  ResolvedInstruction,
  ResolvedStage,
  StageBase,
} from './types.js';
import type { Env, LexOptions, WordLexer } from './word-lexer.js';

const DEFAULT_PLATFORM: PlatformSpec = { os: 'linux', architecture: 'amd64', variant: '' };

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
  globalEnv: Record<string, string>,
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
      value = expand(decl.value, { ...globalEnv }, range);
    }
    if (value !== undefined) globalEnv[decl.key] = value;
    else delete globalEnv[decl.key];
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
  done: readonly ResolvedStage[],
  knownEnv: readonly boolean[],
  options: ResolveOptions,
): StageBaseInfo {
  const lower = baseName.toLowerCase();
  const earlier = done.find((s) => s.name !== undefined && s.name === lower);
  if (earlier !== undefined) {
    return {
      base: { kind: 'stage', index: earlier.index },
      env: earlier.env,
      envKnown: knownEnv[earlier.index]!,
    };
  }
  if (lower === 'scratch') return { base: { kind: 'scratch' }, env: {}, envKnown: true };
  const env = options.imageEnv?.(baseName);
  return { base: { kind: 'image', ref: baseName }, env: env ?? {}, envKnown: env !== undefined };
}

/** What FROM lines and instructions are expanded with, beyond a stage's own scope. */
interface GlobalScope {
  readonly lexer: WordLexer;
  readonly lexOptions: LexOptions;
  readonly file: string;
  /** Meta ARGs with values plus the predefined platform args: the FROM-line env. */
  readonly env: Env;
  readonly metaKeys: readonly string[];
  readonly metaValues: ReadonlyMap<string, string | undefined>;
  readonly predefined: Readonly<Record<string, string>>;
}

interface FromLine {
  readonly baseName: string;
  readonly platform: string | undefined;
  readonly fromBuildArgs: readonly BuildArgUse[];
}

/** Expands a FROM line against the global scope; reports UndefinedArgInFrom; validates name and platform. */
function expandFromLine(from: FromInstruction, g: GlobalScope, findings: Finding[]): FromLine {
  const location = { file: g.file, range: from.range };
  const ex = makeExpander({ lexer: g.lexer, env: g.env, lexOptions: g.lexOptions, location });
  const baseName = ex.word(from.baseName);
  // An empty expansion is an error too: BuildKit parses whatever --platform expands to.
  const platform = from.platform === undefined ? undefined : ex.word(from.platform);
  if (platform !== undefined && !/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+){0,2}$/.test(platform)) {
    throw new KilnError(ErrorCode.Platform, `failed to parse platform ${JSON.stringify(platform)}`, {
      location: { file: g.file, range: from.flagRanges?.platform?.[0] ?? from.range },
      hint: 'use os/arch[/variant], e.g. linux/arm64/v8',
    });
  }
  for (const name of ex.unmatched) {
    if (g.metaKeys.includes(name) || Object.hasOwn(g.predefined, name)) continue;
    findings.push({
      code: CheckRule.UndefinedArgInFrom,
      message: Messages.undefinedArgInFrom(name, suggest(name, g.metaKeys)),
      range: from.range,
    });
  }
  if (baseName === '') {
    throw new KilnError(ErrorCode.DockerfileInstruction, `base name (${from.baseName}) should not be blank`, {
      location,
    });
  }
  const fromBuildArgs = [...ex.matched]
    .filter((n) => g.metaValues.has(n))
    .map((n) => ({ name: n, value: g.env[n]!, inHistory: true }));
  return { baseName, platform, fromBuildArgs };
}

interface CommandsInput {
  /** ONBUILD triggers of the base stage, run first. */
  readonly triggers: readonly StageCommand[];
  readonly commands: readonly StageCommand[];
  readonly scope: Scope;
  readonly context: ResolveContext;
  readonly globalScope: GlobalScope;
  readonly findings: Finding[];
}

/** Resolves a stage's instructions in order, each against the scope left by the previous ones. */
function resolveCommands(input: CommandsInput): ResolvedInstruction[] {
  const { triggers, scope, context, globalScope: g, findings } = input;
  const instructions: ResolvedInstruction[] = [];
  for (const [position, cmd] of [...triggers, ...input.commands].entries()) {
    const location = { file: g.file, range: cmd.range };
    const ex = makeExpander({ lexer: g.lexer, env: scopeEnv(scope), lexOptions: g.lexOptions, location });
    const declaredBefore = new Set(scope.args.keys());
    const result = resolveInstruction(cmd, scope, ex, context, g.lexOptions);
    instructions.push({ ...result, onbuild: position < triggers.length });
    if (scope.envKnown) reportUndefined(cmd, ex.unmatched, declaredBefore, scopeEnv(scope), findings);
  }
  return instructions;
}

/** Expands every stage (all of them, as `--check` lints all); throws on expansion and reference errors. */
export function resolveBuild(parsed: DockerfileStages, options: ResolveOptions): ResolvedBuild {
  const file = options.file ?? 'Dockerfile';
  const lexOptions: LexOptions =
    options.escapeToken === undefined ? {} : { escapeToken: options.escapeToken };
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  const predefined = platformArgs(
    options.targetPlatform ?? DEFAULT_PLATFORM,
    options.buildPlatform ?? DEFAULT_PLATFORM,
  );
  const findings: Finding[] = [];
  const consumedAll = new Set<string>();

  // Meta ARGs: expanded in order against the predefined args and the previous meta ARGs.
  const globalEnv: Record<string, string> = { ...predefined };
  const metaDecls = parsed.metaArgs.flatMap((a) => a.args.map((decl) => ({ decl, range: a.range })));
  const meta = resolveMetaArgs(metaDecls, buildArgs, predefined, globalEnv, (word, env, range) =>
    makeExpander({ lexer: options.lexer, env, lexOptions, location: { file, range } }).word(word),
  );
  for (const name of meta.consumed) consumedAll.add(name);
  const metaValues = new Map(meta.metaArgs.map((m) => [m.key, m.value]));
  const metaKeys = meta.metaArgs.map((m) => m.key);

  const globalScope: GlobalScope = {
    lexer: options.lexer,
    lexOptions,
    file,
    env: globalEnv,
    metaKeys,
    metaValues,
    predefined,
  };
  const stageNames = parsed.stages.map((s) => s.name);
  const done: ResolvedStage[] = [];
  const knownEnv: boolean[] = [];
  /** Per resolved stage, its build args at the end (inherited by stages built FROM it). */
  const finalArgs: ReadonlyMap<string, string | undefined>[] = [];
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
    const { baseName, platform, fromBuildArgs } = expandFromLine(from, globalScope, findings);
    const info = baseOf(baseName, done, knownEnv, options);
    const baseArgs = info.base.kind === 'stage' ? finalArgs[info.base.index] : undefined;
    const scope = newScope(info.env, info.envKnown, baseArgs);
    const triggers = info.base.kind === 'stage' ? onbuildTriggers(done[info.base.index]!, file) : [];
    const instructions = resolveCommands({
      triggers,
      commands: stage.commands,
      scope,
      context,
      globalScope,
      findings,
    });
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
    finalArgs.push(scope.args);
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
