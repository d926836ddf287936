/**
 * Finding and reading the registry configuration files. Paths come from an explicit environment
 * (never read at import time); missing files are simply absent configuration.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configError } from './config-values.js';
import { parseKilnRegistries } from './kiln-registries-json.js';
import { parseRegistriesConf } from './registries-conf.js';
import { EMPTY_REGISTRY_CONFIG, mergeRegistryConfigs, type RegistryConfig } from './rules.js';

/** Where registry configuration is read from. */
export interface RegistryConfigPaths {
  /** The user's containers file, `$XDG_CONFIG_HOME/containers/registries.conf`; when it exists the system file is not read. */
  readonly containersUser?: string;
  /** The system containers file, `/etc/containers/registries.conf`. */
  readonly containersSystem?: string;
  /** kiln's file, `$KILN_REGISTRIES_CONFIG` or `$XDG_CONFIG_HOME/kiln/registries.json`; its rules win ties. */
  readonly kiln?: string;
}

/** The default paths for an environment (`HOME`, `XDG_CONFIG_HOME`, `KILN_REGISTRIES_CONFIG`). */
export function defaultRegistryConfigPaths(
  env: Readonly<Record<string, string | undefined>>,
): RegistryConfigPaths {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME ?? '/', '.config');
  return {
    containersUser: join(configHome, 'containers', 'registries.conf'),
    containersSystem: '/etc/containers/registries.conf',
    kiln: env.KILN_REGISTRIES_CONFIG || join(configHome, 'kiln', 'registries.json'),
  };
}

async function readOptional(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw configError(file, `cannot read: ${(error as Error).message}`, error);
  }
}

/**
 * Reads the containers file (the user's, else the system's) and kiln's file, and merges them
 * (kiln's rules after containers', so they win ties).
 */
export async function loadRegistryConfig(paths: RegistryConfigPaths): Promise<RegistryConfig> {
  const configs: RegistryConfig[] = [];
  const user = await readOptional(paths.containersUser);
  if (user !== undefined && paths.containersUser !== undefined) {
    configs.push(parseRegistriesConf(user, paths.containersUser));
  } else {
    const system = await readOptional(paths.containersSystem);
    if (system !== undefined && paths.containersSystem !== undefined) {
      configs.push(parseRegistriesConf(system, paths.containersSystem));
    }
  }
  const kiln = await readOptional(paths.kiln);
  if (kiln !== undefined && paths.kiln !== undefined) configs.push(parseKilnRegistries(kiln, paths.kiln));
  return configs.length === 0 ? EMPTY_REGISTRY_CONFIG : mergeRegistryConfigs(configs);
}
