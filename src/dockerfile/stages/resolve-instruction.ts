/**
 * Expands one stage instruction where BuildKit does (ADD COPY ENV EXPOSE LABEL STOPSIGNAL USER VOLUME WORKDIR,
 * ARG, RUN mount options; never ONBUILD, RUN/CMD/ENTRYPOINT/HEALTHCHECK/SHELL commands or MAINTAINER) and
 * updates the scope (ARG, ENV).
 */
import { assertNever, ErrorCode, KilnError } from '../../errors.js';
import { checksumProblem } from '../instructions/add-checksum.js';
import { chmodError, isValidChmod } from '../instructions/chmod.js';
import { parsePortSpec } from '../instructions/expose-ports.js';
import { argError, type ErrorSite, flagSite, wordSite } from '../instructions/instruction-error.js';
import { parseMounts } from '../instructions/parse-run.js';
import { isValidStopSignal } from '../instructions/stop-signal.js';
import type {
  AddInstruction,
  ArgDeclaration,
  CopyInstruction,
  KeyValuePair,
  SourcesAndDest,
  StageCommand,
} from '../instructions/types.js';
import { isProxyArg } from './build-args.js';
import type { Expander } from './expander.js';
import { argsInEnvironment, argUse, type Scope, scopeEnv } from './scope.js';
import type { BuildArgUse, SourceReference } from './types.js';

/** Build-wide inputs of instruction resolution. */
export interface ResolveContext {
  readonly file: string;
  /** `--build-arg` values. */
  readonly buildArgs: ReadonlyMap<string, string>;
  /** Meta ARG values (declared before FROM), undefined when unset. */
  readonly metaArgs: ReadonlyMap<string, string | undefined>;
  readonly platformArgs: Readonly<Record<string, string>>;
  /** Stage names by index (undefined for unnamed stages). */
  readonly stageNames: readonly (string | undefined)[];
  /** Records a --build-arg as consumed by an ARG. */
  consume(name: string): void;
}

export interface InstructionResult {
  readonly instruction: StageCommand;
  readonly buildArgs: readonly BuildArgUse[];
  readonly sources: readonly SourceReference[];
}

/** Resolves a `--from` / `from=` value: a stage by name or index, else an image. */
export function resolveReference(value: string, context: ResolveContext, site: ErrorSite): SourceReference {
  const lower = value.toLowerCase();
  const byName = context.stageNames.indexOf(lower);
  if (byName >= 0) return { kind: 'stage', index: byName };
  if (/^\d+$/.test(value)) {
    const index = Number.parseInt(value, 10);
    if (index >= context.stageNames.length) {
      throw new KilnError(
        ErrorCode.Stage,
        `invalid stage index ${value}: the Dockerfile has ${context.stageNames.length} stages`,
        {
          location: { file: site.file, range: site.range },
        },
      );
    }
    return { kind: 'stage', index };
  }
  if (value === '') throw argError(site, 'empty --from value');
  return { kind: 'image', ref: value };
}

function expandPairs(
  pairs: readonly KeyValuePair[],
  ex: Expander,
  site: ErrorSite,
  name: string,
): KeyValuePair[] {
  return pairs.map((p) => {
    const key = ex.word(p.key);
    if (key === '') throw argError(site, `${name} names can not be blank`);
    return { key, value: ex.word(p.value), legacy: p.legacy };
  });
}

function expandSources(
  sources: SourcesAndDest,
  ex: Expander,
  quoting: { readonly escapeToken?: '\\' | '`' },
): SourcesAndDest {
  return {
    sourcePaths: sources.sourcePaths.map((s) => ex.word(s)),
    sourceContents: sources.sourceContents.map((c) =>
      c.expand ? { ...c, data: ex.word(c.data, { ...quoting, skipProcessQuotes: true }) } : c,
    ),
    destPath: ex.word(sources.destPath),
  };
}

function optionalWord<K extends string>(
  key: K,
  value: string | undefined,
  ex: Expander,
): { readonly [P in K]?: string } {
  return (value === undefined ? {} : { [key]: ex.word(value) }) as { readonly [P in K]?: string };
}

function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/**
 * One `ARG` entry, as BuildKit's dispatchArg: --build-arg (and the predefined platform args, which BuildKit
 * passes as build args) win over the default; the default is expanded against the scope so far (earlier
 * entries of the same instruction included); without either, a meta ARG of the same name gives the value.
 */
function resolveArg(
  decl: ArgDeclaration,
  scope: Scope,
  ex: Expander,
  context: ResolveContext,
): { readonly decl: ArgDeclaration; readonly value: string | undefined } {
  let value: string | undefined;
  if (context.buildArgs.has(decl.key)) {
    context.consume(decl.key);
    value = context.buildArgs.get(decl.key);
  } else if (Object.hasOwn(context.platformArgs, decl.key)) {
    value = context.platformArgs[decl.key];
  } else if (decl.value !== undefined) {
    value = ex.withEnv(scopeEnv(scope)).word(decl.value);
  } else if (context.metaArgs.get(decl.key) !== undefined) {
    value = context.metaArgs.get(decl.key);
  }
  scope.args.set(decl.key, value);
  return { decl: value === undefined ? { key: decl.key, comment: decl.comment } : { ...decl, value }, value };
}

function copyLike<T extends AddInstruction | CopyInstruction>(
  cmd: T,
  ex: Expander,
  site: ErrorSite,
  quoting: { readonly escapeToken?: '\\' | '`' },
): T {
  const sources = expandSources(cmd.sources, ex, quoting);
  if (cmd.kind === 'copy') {
    const url = sources.sourcePaths.find(isUrl);
    if (url !== undefined) throw argError(site, "source can't be a URL for COPY");
  }
  const chmod = optionalWord('chmod', cmd.chmod, ex);
  if (chmod.chmod !== undefined && !isValidChmod(chmod.chmod)) {
    throw argError(flagSite(site, cmd, 'chmod'), chmodError(chmod.chmod));
  }
  return {
    ...cmd,
    sources,
    ...optionalWord('chown', cmd.chown, ex),
    ...chmod,
    exclude: cmd.exclude.map((e) => ex.word(e)),
  };
}

/**
 * Expands `cmd` against the scope (as it was before the instruction) and applies its effect on the scope.
 * `ex` must have been made over `scopeEnv(scope)`.
 */
export function resolveInstruction(
  cmd: StageCommand,
  scope: Scope,
  ex: Expander,
  context: ResolveContext,
  quoting: { readonly escapeToken?: '\\' | '`' },
): InstructionResult {
  const site: ErrorSite = { file: context.file, range: cmd.range };
  const usedFromWords = (): BuildArgUse[] =>
    [...ex.matched].map((name) => argUse(scope, name)).filter((u): u is BuildArgUse => u !== undefined);
  switch (cmd.kind) {
    case 'env': {
      const env = expandPairs(cmd.env, ex, site, 'ENV');
      const used = usedFromWords();
      for (const pair of env) scope.env.set(pair.key, pair.value);
      return { instruction: { ...cmd, env }, buildArgs: used, sources: [] };
    }
    case 'label': {
      const labels = expandPairs(cmd.labels, ex, site, 'LABEL');
      return { instruction: { ...cmd, labels }, buildArgs: usedFromWords(), sources: [] };
    }
    case 'arg': {
      const resolved = cmd.args.map((decl) => resolveArg(decl, scope, ex, context));
      const own = resolved
        .filter((r) => r.value !== undefined)
        .map((r) => argUse(scope, r.decl.key))
        .filter((u): u is BuildArgUse => u !== undefined);
      return { instruction: { ...cmd, args: resolved.map((r) => r.decl) }, buildArgs: own, sources: [] };
    }
    case 'add': {
      const instruction = {
        ...copyLike(cmd, ex, site, quoting),
        ...optionalWord('checksum', cmd.checksum, ex),
      };
      if (instruction.checksum !== undefined) {
        const { sourcePaths, sourceContents } = instruction.sources;
        const problem = checksumProblem(instruction.checksum, sourcePaths, sourceContents.length > 0);
        if (problem !== undefined) throw argError(flagSite(site, cmd, 'checksum'), problem);
      }
      return { instruction, buildArgs: usedFromWords(), sources: [] };
    }
    case 'copy': {
      const base = copyLike(cmd, ex, site, quoting);
      const from = cmd.from === undefined ? undefined : ex.word(cmd.from);
      const instruction = { ...base, ...(from === undefined ? {} : { from }) };
      const sources =
        from === undefined ? [] : [resolveReference(from, context, flagSite(site, cmd, 'from'))];
      return { instruction, buildArgs: usedFromWords(), sources };
    }
    case 'expose': {
      const ports: string[] = [];
      for (const word of cmd.ports) {
        for (const spec of ex.words(word)) {
          const parsed = parsePortSpec(spec);
          if (!parsed.ok) throw argError(site, parsed.error);
          for (const p of parsed.ports) if (!ports.includes(p)) ports.push(p);
        }
      }
      return { instruction: { ...cmd, ports }, buildArgs: usedFromWords(), sources: [] };
    }
    case 'user':
      return { instruction: { ...cmd, user: ex.word(cmd.user) }, buildArgs: usedFromWords(), sources: [] };
    case 'workdir':
      return { instruction: { ...cmd, path: ex.word(cmd.path) }, buildArgs: usedFromWords(), sources: [] };
    case 'stopsignal': {
      const signal = ex.word(cmd.signal);
      if (!isValidStopSignal(signal)) {
        throw argError(wordSite(site, cmd.original, cmd.signal), `Invalid signal: ${signal}`);
      }
      return { instruction: { ...cmd, signal }, buildArgs: usedFromWords(), sources: [] };
    }
    case 'volume':
      return {
        instruction: { ...cmd, volumes: cmd.volumes.map((v) => ex.word(v)) },
        buildArgs: usedFromWords(),
        sources: [],
      };
    case 'run': {
      const mountSite = (index: number): ErrorSite => flagSite(site, cmd, 'mount', index);
      const mounts = parseMounts(cmd.mountSpecs, mountSite, (value) => ex.word(value));
      const sources = mounts.flatMap((m, index): SourceReference[] =>
        (m.type === 'bind' || m.type === 'cache') && m.from !== undefined
          ? [resolveReference(m.from, context, mountSite(index))]
          : [],
      );
      const inEnv = argsInEnvironment(scope);
      const proxies: BuildArgUse[] = [...context.buildArgs]
        .filter(([name]) => !scope.args.has(name) && isProxyArg(name))
        .map(([name, value]) => ({ name, value, inHistory: false }));
      const fromMounts = usedFromWords().filter((u) => !inEnv.some((e) => e.name === u.name));
      return { instruction: { ...cmd, mounts }, buildArgs: [...inEnv, ...fromMounts, ...proxies], sources };
    }
    case 'cmd':
    case 'entrypoint':
    case 'healthcheck':
    case 'shell':
    case 'onbuild':
    case 'maintainer':
      return { instruction: cmd, buildArgs: [], sources: [] };
    default:
      return assertNever(cmd, 'instruction');
  }
}
