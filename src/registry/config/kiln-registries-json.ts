/**
 * kiln's own registry configuration, `$XDG_CONFIG_HOME/kiln/registries.json`:
 *
 * ```json
 * { "insecure": ["registry.lan:5000"], "blocked": ["evil.example"],
 *   "mirrors": { "docker.io": ["mirror.lan:5000"] } }
 * ```
 *
 * Every key is optional. Entries are prefixes as in registries.conf: `host[:port]`, `host/namespace`,
 * or `*.domain`. Unknown keys are refused so that a typo does not silently change nothing.
 */
import {
  type ConfigTable,
  configError,
  isTable,
  optionalTable,
  registryLocation,
  stringList,
} from './config-values.js';
import type { RegistryConfig, RegistryRule } from './rules.js';

const KNOWN_KEYS: ReadonlySet<string> = new Set(['insecure', 'blocked', 'mirrors']);

/** Parses the text of kiln's registries.json; `file` names it in errors (E_REGISTRY_CONFIG). */
export function parseKilnRegistries(text: string, file: string): RegistryConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw configError(file, `not valid JSON: ${(error as Error).message}`, error);
  }
  if (!isTable(document)) throw configError(file, 'must be a JSON object');
  for (const key of Object.keys(document)) {
    if (!KNOWN_KEYS.has(key)) {
      throw configError(file, `unknown key ${JSON.stringify(key)} (known: insecure, blocked, mirrors)`);
    }
  }
  const insecure = stringList(file, document, 'insecure').map((e) =>
    registryLocation(file, e, 'insecure entry', true),
  );
  const blocked = stringList(file, document, 'blocked').map((e) =>
    registryLocation(file, e, 'blocked entry', true),
  );
  const rules: RegistryRule[] = [];
  for (const prefix of new Set([...insecure, ...blocked])) {
    rules.push({
      prefix,
      insecure: insecure.includes(prefix),
      blocked: blocked.includes(prefix),
      origin: file,
    });
  }
  const mirrorTable: ConfigTable = optionalTable(file, document, 'mirrors') ?? {};
  const mirrors: Record<string, readonly string[]> = {};
  for (const key of Object.keys(mirrorTable)) {
    const prefix = registryLocation(file, key, 'mirrors key', false);
    mirrors[prefix] = stringList(file, mirrorTable, key).map((m) =>
      registryLocation(file, m, `mirror of ${prefix}`, false),
    );
  }
  return { rules, mirrors };
}
