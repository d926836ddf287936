/**
 * Shared by the registry commands (login, logout, pull, push): transport flags, credential files and
 * client construction from the command's options and the context's environment.
 *
 * Credentials: `kiln login` writes kiln's own auth file (containers auth.json format, mode 0600) at
 * `--authfile`, `$KILN_AUTH_FILE` or `$XDG_CONFIG_HOME/kiln/auth.json`. Lookups read that file first,
 * then containers auth.json files, then Docker's config.json (with credHelpers / credsStore).
 */
import type { Command } from 'commander';
import {
  type CredentialPaths,
  createRegistryClient,
  defaultCredentialPaths,
  loadCredentials,
  type RegistryClient,
} from '../../registry/index.js';
import type { CliContext } from '../context.js';

/** Options every registry command accepts. */
export interface RegistryCommandOptions {
  readonly insecure?: boolean;
  readonly tlsCaFile?: string;
  readonly tlsVerify?: boolean;
  readonly authfile?: string;
}

/** Adds `--insecure`, `--tls-ca-file`, `--no-tls-verify` and `--authfile` to a command. */
export function withRegistryOptions(command: Command): Command {
  return command
    .option('--insecure', 'use plain HTTP for this registry (always done for localhost / 127.0.0.0/8 / ::1)')
    .option('--tls-ca-file <file>', 'PEM file with extra CA certificates to trust')
    .option('--no-tls-verify', 'do not verify TLS certificates (dangerous)')
    .option(
      '--authfile <file>',
      "kiln's auth file (default: $KILN_AUTH_FILE or $XDG_CONFIG_HOME/kiln/auth.json)",
    );
}

/** The credential files for a command (`--authfile` replaces kiln's own file). */
export function credentialPaths(ctx: CliContext, options: RegistryCommandOptions): CredentialPaths {
  const defaults = defaultCredentialPaths(ctx.env);
  return options.authfile === undefined ? defaults : { ...defaults, kilnAuthFile: options.authfile };
}

/** `$KILN_INSECURE_REGISTRIES` (comma-separated) plus `registry` when `--insecure` was given. */
function insecureRegistries(ctx: CliContext, registry: string, options: RegistryCommandOptions): string[] {
  const fromEnv = (ctx.env.KILN_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return options.insecure ? [...fromEnv, registry] : fromEnv;
}

/** A registry client configured from the command's options (close it when done). */
export function registryClient(
  ctx: CliContext,
  registry: string,
  options: RegistryCommandOptions,
): RegistryClient {
  return createRegistryClient({
    credentials: loadCredentials({ paths: credentialPaths(ctx, options), env: ctx.env }),
    insecureRegistries: insecureRegistries(ctx, registry, options),
    ...(options.tlsCaFile !== undefined ? { caFile: options.tlsCaFile } : {}),
    ...(options.tlsVerify === false ? { skipVerify: true } : {}),
    log: (message) => {
      if (ctx.env.KILN_DEBUG === '1') ctx.stderr.write(`${message}\n`);
    },
  });
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
