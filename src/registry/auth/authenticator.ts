/**
 * Per-client authentication state: the challenge each registry answered with, credentials looked up
 * once per registry/repository, and bearer tokens cached per scope set (parallel requests for the
 * same scopes share one token request; expired tokens are dropped).
 */
import { assertNever, ErrorCode } from '../../errors.js';
import { ANONYMOUS, type Credential, type CredentialSource } from '../credentials/types.js';
import { RegistryError } from '../errors.js';
import type { Transport } from '../transport.js';
import type { AuthChallenge } from './challenge.js';
import { mergeScopes, scopesCover } from './scope.js';
import { type BearerToken, fetchToken } from './token.js';

export interface AuthenticatorOptions {
  readonly credentials?: CredentialSource;
  readonly transport: Transport;
  readonly userAgent: string;
  readonly now?: () => number;
}

/** What an authorization is for. */
export interface AuthTarget {
  readonly registry: string;
  readonly repository?: string;
  /** For error messages. */
  readonly action: string;
}

interface RegistryAuthState {
  /** undefined: not known yet; null: no auth needed so far. */
  challenge: AuthChallenge | null | undefined;
  tokens: readonly BearerToken[];
  /** Token requests in flight, by canonical scope string. */
  readonly pending: Map<string, Promise<BearerToken>>;
}

/** `Basic base64(user:password)` */
export function basicAuthorization(credential: Credential & { kind: 'basic' }): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}

export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #states = new Map<string, RegistryAuthState>();
  readonly #credentials = new Map<string, Promise<Credential | undefined>>();

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  #state(registry: string): RegistryAuthState {
    let state = this.#states.get(registry);
    if (state === undefined) {
      state = { challenge: undefined, tokens: [], pending: new Map() };
      this.#states.set(registry, state);
    }
    return state;
  }

  /** The challenge last seen for a registry: undefined = unknown, null = none needed. */
  challenge(registry: string): AuthChallenge | null | undefined {
    return this.#state(registry).challenge;
  }

  /** Records what a registry asked for (from a ping or a 401). */
  learn(registry: string, challenge: AuthChallenge | null): void {
    this.#state(registry).challenge = challenge;
  }

  /** The credential for a registry/repository (looked up once). */
  credential(registry: string, repository: string | undefined): Promise<Credential | undefined> {
    const key = `${registry}/${repository ?? ''}`;
    let found = this.#credentials.get(key);
    if (found === undefined) {
      found = (this.#options.credentials ?? ANONYMOUS).get(registry, repository);
      this.#credentials.set(key, found);
    }
    return found;
  }

  /**
   * The Authorization header value for a request needing `scopes`, or undefined when the registry has
   * not asked for authentication. `forceRefresh` skips cached tokens (after a 401 with a token).
   */
  async authorization(
    target: AuthTarget,
    scopes: readonly string[],
    forceRefresh: boolean,
  ): Promise<string | undefined> {
    const state = this.#state(target.registry);
    const challenge = state.challenge;
    if (challenge === undefined || challenge === null) return undefined;
    switch (challenge.kind) {
      case 'basic':
        return basicAuthorization(await this.#basicCredential(target));
      case 'bearer':
        return `Bearer ${(await this.#token(target, challenge, mergeScopes(scopes), forceRefresh)).token}`;
      case 'other':
        throw new RegistryError(
          ErrorCode.RegistryAuth,
          `${target.action}: ${target.registry} asks for unsupported authentication scheme ${challenge.scheme}`,
        );
      default:
        return assertNever(challenge, 'auth challenge');
    }
  }

  async #basicCredential(target: AuthTarget): Promise<Credential & { kind: 'basic' }> {
    const credential = await this.credential(target.registry, target.repository);
    if (credential === undefined) {
      throw new RegistryError(
        ErrorCode.RegistryAuth,
        `${target.action}: ${target.registry} requires credentials`,
        {
          hint: `run: kiln login ${target.registry}`,
        },
      );
    }
    if (credential.kind !== 'basic') {
      throw new RegistryError(
        ErrorCode.RegistryAuth,
        `${target.action}: ${target.registry} wants a username and password; only an identity token is stored`,
      );
    }
    return credential;
  }

  async #token(
    target: AuthTarget,
    challenge: AuthChallenge & { kind: 'bearer' },
    wanted: readonly string[],
    forceRefresh: boolean,
  ): Promise<BearerToken> {
    const state = this.#state(target.registry);
    const now = (this.#options.now ?? Date.now)();
    state.tokens = state.tokens.filter((t) => t.expiresAt > now);
    if (!forceRefresh) {
      const cached = state.tokens.find((t) => scopesCover(t.scopes, wanted));
      if (cached) return cached;
    }
    const key = wanted.join(' ');
    let pending = state.pending.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const token = await fetchToken({
          realm: challenge.realm,
          service: challenge.service,
          scopes: wanted,
          credential: await this.credential(target.registry, target.repository),
          dispatcher: await this.#options.transport.dispatcherFor(new URL(challenge.realm)),
          userAgent: this.#options.userAgent,
          ...(this.#options.now ? { now: this.#options.now } : {}),
        });
        state.tokens = [...state.tokens.filter((t) => t.scopes.join(' ') !== key), token];
        return token;
      })();
      state.pending.set(key, pending);
      const forget = () => state.pending.delete(key);
      pending.then(forget, forget);
    }
    return pending;
  }
}
