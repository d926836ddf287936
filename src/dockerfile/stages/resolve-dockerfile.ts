/**
 * AST → stages, expanded, checked: everything `kiln build --check` reports, without running anything.
 */
import type { DockerfileAst } from '../parser/ast.js';
import { isProxyArg, platformArgs } from './build-args.js';
import {
  applyCheckConfig,
  type CheckConfig,
  CheckRule,
  type Diagnostic,
  type Finding,
  Messages,
  parseCheckDirective,
  ruleForParserWarning,
} from './diagnostics.js';
import { checkDuplicateStageNames, lintStages } from './lint.js';
import { parseStages } from './parse-stages.js';
import { type ResolveOptions, resolveBuild } from './resolve-build.js';
import { shellLexer } from './shell-lexer.js';
import { checkCycles, reachableStages, selectTarget } from './targets.js';
import type { MetaArg, ResolvedStage } from './types.js';
import type { WordLexer } from './word-lexer.js';

export interface CheckOptions extends Omit<ResolveOptions, 'lexer' | 'escapeToken'> {
  /** Target stage name (case-insensitive); the last stage by default. */
  readonly target?: string;
  /** Overrides the `# check=` directive (like BUILDKIT_DOCKERFILE_CHECK). */
  readonly checks?: Partial<CheckConfig>;
  /** Word lexer; the project's shell lexer by default. */
  readonly lexer?: WordLexer;
}

export interface CheckResult {
  /** ARGs before the first FROM, with their effective values. */
  readonly metaArgs: readonly MetaArg[];
  /** Every stage, expanded. */
  readonly stages: readonly ResolvedStage[];
  readonly target: ResolvedStage;
  /** Indexes of the stages the target needs (itself included), in Dockerfile order. */
  readonly reachable: readonly number[];
  readonly diagnostics: readonly Diagnostic[];
}

/** `--build-arg` names no ARG consumed (proxy, platform and BUILDKIT_* args excepted); they have no range. */
function unusedBuildArgs(
  buildArgs: Readonly<Record<string, string>>,
  consumed: ReadonlySet<string>,
): Finding[] {
  const predefined = Object.keys(
    platformArgs({ os: '', architecture: '', variant: '' }, { os: '', architecture: '', variant: '' }),
  );
  return Object.keys(buildArgs)
    .filter(
      (n) => !consumed.has(n) && !isProxyArg(n) && !predefined.includes(n) && !n.startsWith('BUILDKIT_'),
    )
    .sort()
    .map((n) => ({ code: CheckRule.UnusedBuildArg, message: Messages.unusedBuildArg(n) }));
}

/**
 * Types, expands and checks a parsed Dockerfile. Throws KilnError for errors (bad instructions, expansion
 * failures, unknown target, cycles, duplicate stage names); warnings come back as diagnostics.
 */
export function resolveDockerfile(ast: DockerfileAst, options: CheckOptions = {}): CheckResult {
  const file = options.file ?? 'Dockerfile';
  const parsed = parseStages(ast, { file });
  checkDuplicateStageNames(parsed.stages, file);
  const resolved = resolveBuild(parsed, {
    ...options,
    file,
    lexer: options.lexer ?? shellLexer,
    escapeToken: ast.directives.escapeToken,
  });
  const findings: Finding[] = ast.warnings.map((w) => ({
    code: ruleForParserWarning(w.code),
    message: w.detail === undefined ? w.message : `${w.message}: ${w.detail}`,
    ...(w.range === undefined ? {} : { range: w.range }),
  }));
  findings.push(...lintStages(parsed.metaArgs, resolved.stages, file));
  checkCycles(resolved.stages, file);
  const target = selectTarget(resolved.stages, options.target, file);
  const reachable = reachableStages(resolved.stages, target.index);
  findings.push(...resolved.findings);
  const consumed = new Set([
    ...resolved.consumedByMeta,
    ...reachable.flatMap((i) => resolved.consumedByStage[i] ?? []),
  ]);
  findings.push(...unusedBuildArgs(options.buildArgs ?? {}, consumed));
  const directive = parseCheckDirective(ast.directives.check);
  const config: CheckConfig = {
    skip: options.checks?.skip ?? directive.skip,
    error: options.checks?.error ?? directive.error,
  };
  const ordered = [...findings].sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
  return {
    metaArgs: resolved.metaArgs,
    stages: resolved.stages,
    target,
    reachable,
    diagnostics: applyCheckConfig(ordered, config, file),
  };
}
