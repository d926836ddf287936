/**
 * The default credential source: kiln's auth file, then containers auth.json files, then Docker's
 * config.json — each with its `credHelpers`, `auths` entries and `credsStore`, in that order.
 */
import { type AuthFile, entryToCredential, lookupKey, readAuthFile } from './auth-file.js';
import { helperGet } from './helper.js';
import type { CredentialEnv, CredentialPaths } from './paths.js';
import type { Credential, CredentialSource } from './types.js';

export interface LoadCredentialsOptions {
  readonly paths: CredentialPaths;
  /** Environment for credential helpers (their PATH, HOME…). */
  readonly env: CredentialEnv;
}

async function fromFile(
  file: AuthFile,
  registry: string,
  repository: string | undefined,
  env: CredentialEnv,
): Promise<Credential | undefined> {
  const helper = lookupKey(file.credHelpers, registry, repository);
  if (helper !== undefined) return helperGet(helper, registry, { env });
  const entry = lookupKey(file.auths, registry, repository);
  const credential = entry === undefined ? undefined : entryToCredential(entry, `${file.path} (${registry})`);
  if (credential !== undefined) return credential;
  if (file.credsStore !== undefined) return helperGet(file.credsStore, registry, { env });
  return undefined;
}

/**
 * A credential source over the given files. Files are read once, on first use; a missing file is
 * simply skipped, a malformed one fails with E_CREDENTIALS.
 */
export function loadCredentials(options: LoadCredentialsOptions): CredentialSource {
  const order = [
    options.paths.kilnAuthFile,
    ...options.paths.containersAuthFiles,
    options.paths.dockerConfigFile,
  ];
  let files: Promise<readonly AuthFile[]> | undefined;
  const readAll = async (): Promise<readonly AuthFile[]> => {
    const loaded = await Promise.all(order.map((path) => readAuthFile(path)));
    return loaded.filter((f): f is AuthFile => f !== undefined);
  };
  return {
    async get(registry, repository) {
      files ??= readAll();
      for (const file of await files) {
        const credential = await fromFile(file, registry, repository, options.env);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}
