/**
 * The one decision of how to reach a registry for a repository: refused (blocked), plain HTTP (why),
 * or HTTPS (with or without certificate checks) — from the command-line flags, the
 * `KILN_INSECURE_REGISTRIES` list and the configuration files together.
 */
import { assertNever, ErrorCode, KilnError } from '../../errors.js';
import { isLoopbackRegistry, type TransportOptions } from '../transport.js';
import { findRegistryRule, type RegistryConfig, type RegistryRule } from './rules.js';

/** Why a registry is spoken to over plain HTTP. */
export type InsecureReason = 'flag' | 'environment' | 'config' | 'loopback';

/** How to reach a registry. */
export type RegistryAccess =
  | { readonly kind: 'blocked'; readonly rule: RegistryRule }
  | { readonly kind: 'plain-http'; readonly reason: InsecureReason; readonly rule?: RegistryRule }
  | { readonly kind: 'https'; readonly verifyTls: boolean };

/** What the decision looks at. */
export interface RegistryAccessInput {
  /** `host[:port]` as in references (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** The repository (rules can name a namespace); omit for registry-wide actions such as login. */
  readonly repository?: string;
  readonly config: RegistryConfig;
  /** `--insecure` was given for this command. */
  readonly insecureFlag?: boolean;
  /** Registries listed in `KILN_INSECURE_REGISTRIES`. */
  readonly insecureRegistries?: readonly string[];
  /** False for `--no-tls-verify`. */
  readonly tlsVerify?: boolean;
  /** Registries that must use HTTPS even on loopback. */
  readonly tlsRegistries?: readonly string[];
}

/** `KILN_INSECURE_REGISTRIES` (comma-separated `host[:port]`) as a list. */
export function insecureRegistriesFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env.KILN_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** Decides how to reach `registry` (see the module comment). Blocked rules win over everything. */
export function decideRegistryAccess(input: RegistryAccessInput): RegistryAccess {
  const registry = input.registry.toLowerCase();
  const reference = input.repository === undefined ? registry : `${registry}/${input.repository}`;
  const rule = findRegistryRule(input.config, reference);
  if (rule?.blocked) return { kind: 'blocked', rule };
  const https: RegistryAccess = { kind: 'https', verifyTls: input.tlsVerify !== false };
  if (input.tlsRegistries?.includes(registry)) return https;
  if (input.insecureFlag) return { kind: 'plain-http', reason: 'flag' };
  if (input.insecureRegistries?.includes(registry)) return { kind: 'plain-http', reason: 'environment' };
  if (rule?.insecure) return { kind: 'plain-http', reason: 'config', rule };
  if (isLoopbackRegistry(registry)) return { kind: 'plain-http', reason: 'loopback' };
  return https;
}

/** Throws E_REGISTRY_BLOCKED for a blocked registry. */
export function assertNotBlocked(access: RegistryAccess, what: string): void {
  if (access.kind === 'blocked') {
    throw new KilnError(
      ErrorCode.RegistryBlocked,
      `${what}: blocked by the registry configuration (${JSON.stringify(access.rule.prefix)} in ${access.rule.origin})`,
    );
  }
}

/** The client transport settings that carry out a decision for `registry`. */
export function transportOptionsFor(
  registry: string,
  access: RegistryAccess,
): Pick<TransportOptions, 'insecureRegistries' | 'tlsRegistries' | 'skipVerify'> {
  switch (access.kind) {
    case 'blocked':
      throw new KilnError(ErrorCode.RegistryBlocked, `${registry} is blocked by the registry configuration`);
    case 'plain-http':
      return access.reason === 'loopback' ? {} : { insecureRegistries: [registry] };
    case 'https':
      return { tlsRegistries: [registry], ...(access.verifyTls ? {} : { skipVerify: true }) };
    default:
      return assertNever(access, 'registry access');
  }
}
