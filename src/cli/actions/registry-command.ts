/**
 * Shared by the registry commands (login, logout, pull, push, copy): transport flags, credential files,
 * registry configuration files and client construction from the command's options and the context's
 * environment.
 *
 * Credentials: `kiln login` writes kiln's own auth file (containers auth.json format, mode 0600) at
 * `--authfile`, `$KILN_AUTH_FILE` or `$XDG_CONFIG_HOME/kiln/auth.json`. Lookups read that file first,
 * then containers auth.json files, then Docker's config.json (with credHelpers / credsStore).
 */
import {
  assertNotBlocked,
  type CredentialPaths,
  createRegistryClient,
  decideRegistryAccess,
  defaultCredentialPaths,
  defaultRegistryConfigPaths,
  EMPTY_REGISTRY_CONFIG,
  insecureRegistriesFromEnv,
  loadCredentials,
  loadRegistryConfig,
  type RegistryClient,
  type RegistryConfig,
  transportOptionsFor,
} from '../../registry/index.js';
import type { RegistryCommandOptions } from '../commands/registry-options.js';
import type { CliContext } from '../context.js';

export type { RegistryCommandOptions } from '../commands/registry-options.js';

/** The credential files for a command (`--authfile` replaces kiln's own file). */
export function credentialPaths(ctx: CliContext, options: RegistryCommandOptions): CredentialPaths {
  const defaults = defaultCredentialPaths(ctx.env);
  return options.authfile === undefined ? defaults : { ...defaults, kilnAuthFile: options.authfile };
}

/** What a client is for: a registry, and the repository when there is one (rules can name namespaces). */
export interface RegistryTarget {
  readonly registry: string;
  readonly repository?: string;
}

function buildClient(
  ctx: CliContext,
  target: RegistryTarget,
  options: RegistryCommandOptions,
  config: RegistryConfig,
): RegistryClient {
  const fromEnv = insecureRegistriesFromEnv(ctx.env);
  const access = decideRegistryAccess({
    registry: target.registry,
    ...(target.repository !== undefined ? { repository: target.repository } : {}),
    config,
    insecureRegistries: fromEnv,
    ...(options.insecure ? { insecureFlag: true } : {}),
    ...(options.tlsVerify === false ? { tlsVerify: false } : {}),
  });
  assertNotBlocked(
    access,
    target.repository === undefined ? target.registry : `${target.registry}/${target.repository}`,
  );
  const decided = transportOptionsFor(target.registry, access);
  return createRegistryClient({
    credentials: loadCredentials({ paths: credentialPaths(ctx, options), env: ctx.env }),
    insecureRegistries: [...fromEnv, ...(decided.insecureRegistries ?? [])],
    ...(decided.tlsRegistries !== undefined ? { tlsRegistries: decided.tlsRegistries } : {}),
    ...(options.tlsCaFile !== undefined ? { caFile: options.tlsCaFile } : {}),
    ...(options.tlsVerify === false || decided.skipVerify ? { skipVerify: true } : {}),
    log: (message) => {
      if (ctx.env.KILN_DEBUG === '1') ctx.stderr.write(`${message}\n`);
    },
  });
}

/**
 * A registry client configured from the command's options and `$KILN_INSECURE_REGISTRIES` only
 * (no configuration files; prefer `openRegistryClient`). Close it when done.
 */
export function registryClient(
  ctx: CliContext,
  registry: string,
  options: RegistryCommandOptions,
): RegistryClient {
  return buildClient(ctx, { registry }, options, EMPTY_REGISTRY_CONFIG);
}

/** The registry configuration files of the context's environment (registries.conf, kiln's registries.json). */
export function loadCliRegistryConfig(ctx: CliContext): Promise<RegistryConfig> {
  return loadRegistryConfig(defaultRegistryConfigPaths(ctx.env));
}

/**
 * Makes registry clients from the command's options, `$KILN_INSECURE_REGISTRIES` and the registry
 * configuration files (read once). Blocked registries are refused (E_REGISTRY_BLOCKED).
 */
export async function registryClientFactory(
  ctx: CliContext,
  options: RegistryCommandOptions,
): Promise<(target: RegistryTarget) => RegistryClient> {
  const config = await loadCliRegistryConfig(ctx);
  return (target) => buildClient(ctx, target, options, config);
}

/** One registry client as `registryClientFactory` makes it. Close it when done. */
export async function openRegistryClient(
  ctx: CliContext,
  target: RegistryTarget,
  options: RegistryCommandOptions,
): Promise<RegistryClient> {
  return (await registryClientFactory(ctx, options))(target);
}

/** Normalises what users type as a registry (`https://host/v2/` → `host`, Docker Hub aliases → `docker.io`). */
export function registryArgument(text: string): string {
  let value = text.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = value.indexOf('/');
  if (slash !== -1) value = value.slice(0, slash);
  value = value.toLowerCase();
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(value)
    ? 'docker.io'
    : value;
}
