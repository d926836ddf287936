/**
 * containers' `registries.conf` (containers-registries.conf(5)), reduced to what kiln uses: which
 * registries are insecure or blocked, and their mirrors. Both file versions are read:
 *
 * - v2: `[[registry]]` tables with `location`, `prefix`, `insecure`, `blocked` and `[[registry.mirror]]`
 *   (`location`, `insecure`); the rule applies to `prefix` (default: `location`).
 * - v1: `[registries.insecure] registries = [...]` and `[registries.block] registries = [...]`.
 *
 * Mixing both versions in one file is an error, as in containers/image. Other keys
 * (`unqualified-search-registries`, `short-name-mode`, aliases…) are accepted and ignored.
 * Remapping (`prefix` ≠ `location`) is not performed: the location is only recorded as a mirror.
 */
import { parse, TomlError } from 'smol-toml';
import {
  booleanValue,
  type ConfigTable,
  configError,
  optionalString,
  optionalTable,
  registryLocation,
  stringList,
  tableList,
} from './config-values.js';
import type { RegistryConfig, RegistryRule } from './rules.js';

function parseToml(text: string, file: string): ConfigTable {
  try {
    return parse(text) as ConfigTable;
  } catch (error) {
    if (error instanceof TomlError) {
      throw configError(
        file,
        `line ${error.line}, column ${error.column}: ${error.message.split('\n')[0]}`,
        error,
      );
    }
    throw configError(file, (error as Error).message, error);
  }
}

function v1Config(file: string, registries: ConfigTable): RegistryConfig {
  const list = (key: string): readonly string[] => {
    const table = optionalTable(file, registries, key);
    if (table === undefined) return [];
    return stringList(file, table, 'registries').map((entry) =>
      registryLocation(file, entry, `registries.${key}`, false),
    );
  };
  const insecure = list('insecure');
  const blocked = list('block');
  const rules: RegistryRule[] = [];
  for (const prefix of new Set([...insecure, ...blocked])) {
    rules.push({
      prefix,
      insecure: insecure.includes(prefix),
      blocked: blocked.includes(prefix),
      origin: file,
    });
  }
  return { rules, mirrors: {} };
}

function v2Config(file: string, entries: readonly ConfigTable[]): RegistryConfig {
  const rules: RegistryRule[] = [];
  const mirrors: Record<string, string[]> = {};
  for (const [position, entry] of entries.entries()) {
    const what = `[[registry]] number ${position + 1}`;
    const locationText = optionalString(file, entry, 'location');
    const prefixText = optionalString(file, entry, 'prefix');
    if ((locationText ?? '') === '' && (prefixText ?? '') === '') {
      throw configError(file, `${what} has neither location nor prefix`);
    }
    const prefix = registryLocation(file, prefixText || locationText || '', `${what} prefix`, true);
    const location =
      locationText === undefined || locationText === ''
        ? undefined
        : registryLocation(file, locationText, `${what} location`, false);
    const insecure = booleanValue(file, entry, 'insecure', false);
    rules.push({ prefix, insecure, blocked: booleanValue(file, entry, 'blocked', false), origin: file });
    const mirrorList: string[] = [];
    if (location !== undefined && location !== prefix) {
      mirrorList.push(location);
      rules.push({ prefix: location, insecure, blocked: false, origin: file });
    }
    for (const mirror of tableList(file, entry, 'mirror')) {
      const mirrorLocation = optionalString(file, mirror, 'location');
      if (mirrorLocation === undefined) throw configError(file, `a mirror of ${prefix} has no location`);
      const at = registryLocation(file, mirrorLocation, `mirror of ${prefix}`, false);
      mirrorList.push(at);
      if (booleanValue(file, mirror, 'insecure', false)) {
        rules.push({ prefix: at, insecure: true, blocked: false, origin: file });
      }
    }
    if (mirrorList.length > 0) mirrors[prefix] = [...(mirrors[prefix] ?? []), ...mirrorList];
  }
  return { rules, mirrors };
}

/** Parses the text of a registries.conf; `file` names it in errors (E_REGISTRY_CONFIG). */
export function parseRegistriesConf(text: string, file: string): RegistryConfig {
  const document = parseToml(text, file);
  const v1 = optionalTable(file, document, 'registries');
  const v2 = tableList(file, document, 'registry');
  if (v1 !== undefined && v2.length > 0) {
    throw configError(file, 'mixing v1 ([registries.*]) and v2 ([[registry]]) formats is not supported');
  }
  return v1 !== undefined ? v1Config(file, v1) : v2Config(file, v2);
}
