/**
 * Registry credentials as kiln uses them, and the interface every credential source implements.
 */

/** A username/password pair, or an identity (OAuth2 refresh) token from `docker login`. */
export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'identityToken'; readonly token: string };

/** Where the credential for a registry comes from. */
export interface CredentialSource {
  /**
   * The credential for `registry` (`host[:port]`, `docker.io` for Docker Hub), optionally narrowed to a
   * repository (containers auth.json allows `host/namespace` keys); undefined when there is none.
   */
  get(registry: string, repository?: string): Promise<Credential | undefined>;
}

/** A source that never has credentials (anonymous access). */
export const ANONYMOUS: CredentialSource = { get: async () => undefined };

/** A source with fixed credentials for some registries (tests, `kiln login` verification). */
export function staticCredentials(entries: Readonly<Record<string, Credential>>): CredentialSource {
  return { get: async (registry) => (Object.hasOwn(entries, registry) ? entries[registry] : undefined) };
}
