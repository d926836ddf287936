/**
 * Where credentials live. Computed from an explicit environment (never read at import time).
 */
import { join } from 'node:path';

/** The environment variables credential discovery looks at. */
export type CredentialEnv = Readonly<Record<string, string | undefined>>;

/** Credential files, in lookup order: kiln's own, then containers auth.json files, then Docker's. */
export interface CredentialPaths {
  /** kiln's auth file (written by `kiln login`): `$KILN_AUTH_FILE` or `$XDG_CONFIG_HOME/kiln/auth.json`. */
  readonly kilnAuthFile: string;
  /** `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, `$XDG_CONFIG_HOME/containers/auth.json`. */
  readonly containersAuthFiles: readonly string[];
  /** `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  readonly dockerConfigFile: string;
}

/** The default paths for an environment; `HOME` comes from `env` (or `homeDir`). */
export function defaultCredentialPaths(env: CredentialEnv, homeDir?: string): CredentialPaths {
  const home = homeDir ?? env.HOME ?? '/';
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const containers: string[] = [];
  if (env.REGISTRY_AUTH_FILE) containers.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) containers.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  containers.push(join(configHome, 'containers', 'auth.json'));
  return {
    kilnAuthFile: env.KILN_AUTH_FILE || join(configHome, 'kiln', 'auth.json'),
    containersAuthFiles: containers,
    dockerConfigFile: join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'),
  };
}
