/**
 * Build-check diagnostics (BuildKit's lint rules): stable codes, messages, the `# check=` directive.
 */
import type { SourceRange } from '../../errors.js';

/** Rule codes, as BuildKit names them (plus UnusedBuildArg for --build-arg values nobody consumed). */
export const CheckRule = {
  MaintainerDeprecated: 'MaintainerDeprecated',
  JSONArgsRecommended: 'JSONArgsRecommended',
  UndefinedVar: 'UndefinedVar',
  UndefinedArgInFrom: 'UndefinedArgInFrom',
  UnusedBuildArg: 'UnusedBuildArg',
  SecretsUsedInArgOrEnv: 'SecretsUsedInArgOrEnv',
  StageNameCasing: 'StageNameCasing',
  FromAsCasing: 'FromAsCasing',
  ReservedStageName: 'ReservedStageName',
  ConsistentInstructionCasing: 'ConsistentInstructionCasing',
  MultipleInstructionsDisallowed: 'MultipleInstructionsDisallowed',
  WorkdirRelativePath: 'WorkdirRelativePath',
  NoEmptyContinuation: 'NoEmptyContinuation',
} as const;

/** Parser warning codes that correspond to a BuildKit rule (so `# check=skip=<Rule>` applies to them). */
const PARSER_WARNING_RULES: Readonly<Record<string, CheckRuleCode>> = {
  W_EMPTY_CONTINUATION: 'NoEmptyContinuation',
};

/** The rule code for a parser warning code (unchanged when it has no BuildKit rule). */
export function ruleForParserWarning(code: string): string {
  return PARSER_WARNING_RULES[code] ?? code;
}

export type CheckRuleCode = (typeof CheckRule)[keyof typeof CheckRule];

/** A finding; `severity` is `error` when `# check=error=true` (or the options) turn warnings into errors. */
export interface Diagnostic {
  /** A CheckRule code, or a parser warning code (`W_...`). */
  readonly code: string;
  readonly message: string;
  readonly severity: 'warning' | 'error';
  readonly file: string;
  readonly range?: SourceRange;
  readonly url?: string;
}

/** A finding before the check configuration is applied. */
export interface Finding {
  readonly code: string;
  readonly message: string;
  readonly range?: SourceRange;
}

/** Which rules are skipped and whether findings fail the check. */
export interface CheckConfig {
  /** Rule codes to skip; `all` skips every rule. */
  readonly skip: readonly string[];
  readonly error: boolean;
}

/** Parses a `# check=skip=A,B;error=true` value; unknown keys are ignored. */
export function parseCheckDirective(value: string | undefined): CheckConfig {
  let skip: string[] = [];
  let error = false;
  for (const part of (value ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const val = part.slice(eq + 1).trim();
    if (key === 'skip') {
      skip = val
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    } else if (key === 'error') {
      error = val.toLowerCase() === 'true' || val === '1';
    }
  }
  return { skip, error };
}

/** Applies a check configuration: drops skipped rules, sets severities. */
export function applyCheckConfig(
  findings: readonly Finding[],
  config: CheckConfig,
  file: string,
): Diagnostic[] {
  const skipAll = config.skip.some((s) => s.toLowerCase() === 'all');
  return findings
    .filter((f) => !skipAll && !config.skip.includes(f.code))
    .map((f) => ({
      code: f.code,
      message: f.message,
      severity: config.error ? 'error' : 'warning',
      file,
      ...(f.range === undefined ? {} : { range: f.range }),
      ...(isRule(f.code) ? { url: ruleUrl(f.code) } : {}),
    }));
}

function isRule(code: string): code is CheckRuleCode {
  return Object.hasOwn(CheckRule, code);
}

function ruleUrl(code: CheckRuleCode): string {
  const slug = code
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `https://docs.docker.com/reference/build-checks/${slug}/`;
}

const SECRET_DENY =
  /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const SECRET_ALLOW = /(?:_|^)(?:public|file|version)(?:_|$)/i;

/** True when an ARG/ENV name looks like it holds a secret (BuildKit's deny/allow token rules). */
export function isSecretName(name: string): boolean {
  return SECRET_DENY.test(name) && !SECRET_ALLOW.test(name);
}

/** Message builders, worded as BuildKit's rules. */
export const Messages = {
  maintainerDeprecated: (): string => 'Maintainer instruction is deprecated in favor of using label',
  jsonArgsRecommended: (keyword: string): string =>
    `JSON arguments recommended for ${keyword} to prevent unintended behavior related to OS signals`,
  undefinedVar: (name: string, suggestion?: string): string =>
    `Usage of undefined variable '$${name}'${suggestion === undefined ? '' : ` (did you mean $${suggestion}?)`}`,
  undefinedArgInFrom: (name: string, suggestion?: string): string =>
    `FROM argument '${name}' is not declared${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
  unusedBuildArg: (name: string): string =>
    `Build argument "${name}" was not consumed by any ARG instruction`,
  secretsUsedInArgOrEnv: (instruction: string, key: string): string =>
    `Do not use ARG or ENV instructions for sensitive data (${instruction} ${JSON.stringify(key)})`,
  stageNameCasing: (name: string): string => `Stage name '${name}' should be lowercase`,
  fromAsCasing: (as: string, from: string): string => `'${as}' and '${from}' keywords' casing do not match`,
  reservedStageName: (name: string): string =>
    `Stage name should not use the same name as reserved stage ${JSON.stringify(name)}`,
  consistentInstructionCasing: (keyword: string, casing: string): string =>
    `Command '${keyword}' should match the case of the command majority (${casing})`,
  multipleInstructionsDisallowed: (keyword: string): string =>
    `Multiple ${keyword} instructions should not be used in the same stage because only the last one will be used`,
  workdirRelativePath: (path: string): string =>
    `Relative workdir ${JSON.stringify(path)} can have unexpected results if the base image changes`,
} as const;
