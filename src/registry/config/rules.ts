/**
 * Registry rules from configuration files (containers' registries.conf, kiln's registries.json) and
 * how a reference finds its rule: the longest matching prefix wins, as in containers-registries.conf(5).
 */
import { hostOf } from '../transport.js';

/** Settings for the registries and repositories under one prefix. */
export interface RegistryRule {
  /**
   * What the rule applies to: `host[:port]`, `host[:port]/path` (a namespace), or `*.domain`
   * (every host under `domain`, any port).
   */
  readonly prefix: string;
  /** Plain HTTP (and unverified TLS when redirected to HTTPS) is allowed. */
  readonly insecure: boolean;
  /** Pulling from and pushing to matching references is refused. */
  readonly blocked: boolean;
  /** The file the rule came from, for messages. */
  readonly origin: string;
}

/** Everything kiln takes from registry configuration files. */
export interface RegistryConfig {
  /** In load order; a later rule wins over an earlier one with an equally long prefix. */
  readonly rules: readonly RegistryRule[];
  /** Mirror hosts by registry host (`docker.io` → [`mirror.example:5000`]), in preference order. */
  readonly mirrors: Readonly<Record<string, readonly string[]>>;
}

/** No rules, no mirrors. */
export const EMPTY_REGISTRY_CONFIG: RegistryConfig = { rules: [], mirrors: {} };

/** Joins configurations: rules concatenated (later files win ties), mirror lists concatenated. */
export function mergeRegistryConfigs(configs: readonly RegistryConfig[]): RegistryConfig {
  const mirrors: Record<string, string[]> = {};
  for (const config of configs) {
    for (const [registry, list] of Object.entries(config.mirrors)) {
      const merged = (mirrors[registry] ??= []);
      for (const mirror of list) if (!merged.includes(mirror)) merged.push(mirror);
    }
  }
  return { rules: configs.flatMap((c) => c.rules), mirrors };
}

/** `host[:port]` of `host[:port][/path]`. */
function hostPortOf(reference: string): string {
  const slash = reference.indexOf('/');
  return slash === -1 ? reference : reference.slice(0, slash);
}

/** The host part lower-cased (host names are case-insensitive, repository paths are not). */
function hostsLowered(text: string): string {
  const host = hostPortOf(text);
  return host.toLowerCase() + text.slice(host.length);
}

/**
 * Whether `prefix` matches `reference` (`host[:port][/repository]`, no tag or digest): equal, or a
 * prefix ending at a `/` boundary; `*.domain[/path]` matches any host under the domain.
 */
export function prefixMatches(prefix: string, reference: string): boolean {
  if (prefix.startsWith('*.')) {
    const slash = prefix.indexOf('/');
    const domain = (slash === -1 ? prefix : prefix.slice(0, slash)).slice(1).toLowerCase(); // ".domain"
    const host = hostOf(hostPortOf(reference)).toLowerCase();
    if (!host.endsWith(domain) || host.length === domain.length) return false;
    if (slash === -1) return true;
    const path = prefix.slice(slash);
    const rest = reference.slice(hostPortOf(reference).length);
    return rest === path || rest.startsWith(`${path}/`);
  }
  const wanted = hostsLowered(prefix);
  const candidate = hostsLowered(reference);
  return candidate === wanted || candidate.startsWith(`${wanted}/`);
}

/** The rule for a reference (`host[:port][/repository]`): the longest matching prefix, the later on a tie. */
export function findRegistryRule(config: RegistryConfig, reference: string): RegistryRule | undefined {
  let best: RegistryRule | undefined;
  for (const rule of config.rules) {
    if (!prefixMatches(rule.prefix, reference)) continue;
    if (best === undefined || rule.prefix.length >= best.prefix.length) best = rule;
  }
  return best;
}
