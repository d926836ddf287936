/**
 * The variables visible at one point of a stage: declared ARGs (with or without a value) and ENV.
 * ENV wins over an ARG of the same name, whatever their order.
 */
import { isProxyArg } from './build-args.js';
import type { BuildArgUse } from './types.js';
import type { Env } from './word-lexer.js';

export interface Scope {
  /** Declared build args; undefined value = declared without a value. */
  readonly args: Map<string, string | undefined>;
  readonly env: Map<string, string>;
  /** False when the base image's environment is unknown (UndefinedVar is then not reported). */
  readonly envKnown: boolean;
}

/**
 * The scope at the start of a stage: the base's ENV, and the ARGs of a base *stage* (BuildKit carries a
 * parent stage's build args over to stages built FROM it).
 */
export function newScope(
  baseEnv: Env,
  envKnown: boolean,
  baseArgs: ReadonlyMap<string, string | undefined> = new Map(),
): Scope {
  return { args: new Map(baseArgs), env: new Map(Object.entries(baseEnv)), envKnown };
}

/** The env words are expanded against: args with values, overridden by ENV. */
export function scopeEnv(scope: Scope): Env {
  const out: Record<string, string> = {};
  for (const [k, v] of scope.args) if (v !== undefined) out[k] = v;
  for (const [k, v] of scope.env) out[k] = v;
  return out;
}

/** The build arg behind a variable name, if the name resolves to an ARG (not shadowed by ENV). */
export function argUse(scope: Scope, name: string): BuildArgUse | undefined {
  if (scope.env.has(name)) return undefined;
  const value = scope.args.get(name);
  return value === undefined ? undefined : { name, value, inHistory: !isProxyArg(name) };
}

/** All args with values not shadowed by ENV: what a RUN sees in its environment. */
export function argsInEnvironment(scope: Scope): BuildArgUse[] {
  const out: BuildArgUse[] = [];
  for (const name of scope.args.keys()) {
    const use = argUse(scope, name);
    if (use !== undefined) out.push(use);
  }
  return out;
}
