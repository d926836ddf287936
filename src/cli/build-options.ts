/**
 * `kiln build` flags → typed options. Flag names and meanings follow `docker build` / `docker buildx build`.
 */
import { resolve } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

export interface BuildFlags {
  readonly file?: string;
  readonly tag: string[];
  readonly buildArg: string[];
  readonly target?: string;
  readonly platform?: string;
  readonly label: string[];
  readonly check?: boolean;
}

export interface BuildCliOptions {
  /** Context directory (absolute), or `-` for a context/Dockerfile on stdin. */
  readonly context: string;
  /** Dockerfile path (absolute), or `-` for stdin. */
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platform?: string;
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--build-arg K=V` sets K; `--build-arg K` takes K from the environment and is ignored when K is unset
 * (docker's behaviour).
 */
export function parseBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const args: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (key === '')
      throw new KilnError(ErrorCode.Usage, `invalid --build-arg ${JSON.stringify(value)}: empty name`);
    if (eq >= 0) args[key] = value.slice(eq + 1);
    else if (env[key] !== undefined) args[key] = env[key];
  }
  return args;
}

export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (key === '')
      throw new KilnError(ErrorCode.Usage, `invalid --label ${JSON.stringify(value)}: empty name`);
    labels[key] = eq < 0 ? '' : value.slice(eq + 1);
  }
  return labels;
}

/** Resolves paths like docker: `-f` relative to the working directory, default `CONTEXT/Dockerfile`. */
export function toBuildCliOptions(
  contextArg: string,
  flags: BuildFlags,
  cwd: string,
  env: NodeJS.ProcessEnv,
): BuildCliOptions {
  const context = contextArg === '-' ? '-' : resolve(cwd, contextArg);
  let dockerfile: string;
  if (flags.file === '-') dockerfile = '-';
  else if (flags.file !== undefined) dockerfile = resolve(cwd, flags.file);
  else if (context === '-') dockerfile = '-';
  else dockerfile = resolve(context, 'Dockerfile');
  return {
    context,
    dockerfile,
    buildArgs: parseBuildArgs(flags.buildArg, env),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.platform === undefined ? {} : { platform: flags.platform }),
    tags: flags.tag,
    labels: parseLabels(flags.label),
  };
}
