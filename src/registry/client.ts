/**
 * The registry client core: one HTTP exchange with a registry, with authentication (anonymous, Basic,
 * Bearer tokens cached per scope set and refreshed on 401), retries (5xx, 429, dropped connections)
 * and manual redirects that never carry the Authorization header to another host.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { Authenticator, basicAuthorization } from './auth/authenticator.js';
import { type AuthChallenge, parseChallenges, pickChallenge } from './auth/challenge.js';
import { fetchToken } from './auth/token.js';
import type { Credential, CredentialSource } from './credentials/types.js';
import { RegistryError, registryErrorFromResponse } from './errors.js';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
  sleep,
} from './retry.js';
import { registryBaseUrl, Transport, type TransportOptions } from './transport.js';

/** Options of `createRegistryClient`. */
export interface RegistryClientOptions extends TransportOptions {
  /** Where credentials come from (default: anonymous). See `loadCredentials`. */
  readonly credentials?: CredentialSource;
  readonly retry?: Partial<RetryPolicy>;
  readonly userAgent?: string;
  /** Clock for token expiry (tests). */
  readonly now?: () => number;
  /** Called with one line per retry or notable event. */
  readonly log?: (message: string) => void;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request body, produced afresh for every attempt (streams cannot be replayed). */
export type BodyFactory = () => Promise<Readable | Uint8Array | string>;

/** One registry API exchange. */
export interface RegistryRequest {
  readonly registry: string;
  /** The repository (for credential lookup with namespace-scoped keys). */
  readonly repository?: string;
  readonly method: HttpMethod;
  /** A path such as `/v2/app/manifests/1`, or an absolute URL (upload locations). */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: BodyFactory;
  /** Token scopes this request needs (`repository:app:pull`). */
  readonly scopes: readonly string[];
  /** Human description for errors, e.g. `fetch manifest 127.0.0.1:5000/app:1`. */
  readonly action: string;
  /** Statuses that count as success; anything else becomes a RegistryError. */
  readonly expect: readonly number[];
  /** Follow 3xx redirects (blob downloads). */
  readonly followRedirects?: boolean;
  /** Retry on 5xx/429/connection failures (default true; false for non-idempotent steps). */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body stream; consume or `dump()` it. */
  readonly body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  readonly url: URL;
}

/** What `ping` learned about a registry. */
export interface PingResult {
  readonly status: number;
  /** `none` when `/v2/` answered 200 without credentials. */
  readonly auth: 'none' | 'basic' | 'bearer' | 'other';
  readonly challenge: AuthChallenge | undefined;
}

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** First value of a response header. */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most `max` bytes of a body as text, discarding the rest. */
export async function readText(body: Dispatcher.ResponseData['body'], max = MAX_ERROR_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
    }
  } catch {
    // an error body that breaks off is still reported with what arrived
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A registry client. Holds connection pools and token caches; call `close()` when done. */
export class RegistryClient {
  readonly options: RegistryClientOptions;
  readonly transport: Transport;
  readonly retryPolicy: RetryPolicy;
  readonly #auth: Authenticator;

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
    this.transport = new Transport(options);
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#auth = new Authenticator({
      transport: this.transport,
      userAgent: options.userAgent ?? 'kiln/0.1.0',
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get #userAgent(): string {
    return this.options.userAgent ?? 'kiln/0.1.0';
  }

  /** The base URL (`http(s)://host`) the client uses for a registry. */
  baseUrl(registry: string): string {
    return registryBaseUrl(registry, this.options);
  }

  /** `GET /v2/`: reachability and which authentication the registry wants. */
  async ping(registry: string, signal?: AbortSignal): Promise<PingResult> {
    const url = new URL('/v2/', this.baseUrl(registry));
    const response = await this.#sendWithRetry({
      request: {
        registry,
        method: 'GET',
        target: url.href,
        scopes: [],
        action: `ping ${registry}`,
        expect: [],
      },
      url,
      authorization: undefined,
      signal,
    });
    await response.body.dump();
    const challenge = pickChallenge(parseChallenges(response.headers['www-authenticate']));
    if (response.status === 200) {
      this.#auth.learn(registry, null);
      return { status: 200, auth: 'none', challenge: undefined };
    }
    if (response.status === 401 && challenge !== undefined) {
      this.#auth.learn(registry, challenge);
      return { status: 401, auth: challenge.kind, challenge };
    }
    throw registryErrorFromResponse({ status: response.status, body: '', action: `ping ${registry}` });
  }

  /**
   * Checks that `credential` is accepted by the registry (what `kiln login` does before saving):
   * Basic is tried against `/v2/`; for Bearer a token without scopes is requested.
   */
  async verifyCredential(registry: string, credential: Credential, signal?: AbortSignal): Promise<void> {
    const ping = await this.ping(registry, signal);
    const url = new URL('/v2/', this.baseUrl(registry));
    switch (ping.auth) {
      case 'none':
        return;
      case 'bearer': {
        const challenge = ping.challenge as AuthChallenge & { kind: 'bearer' };
        await fetchToken({
          realm: challenge.realm,
          service: challenge.service,
          scopes: [],
          credential,
          dispatcher: await this.transport.dispatcherFor(new URL(challenge.realm)),
          userAgent: this.#userAgent,
          ...(signal ? { signal } : {}),
        });
        return;
      }
      case 'basic':
      case 'other': {
        if (credential.kind !== 'basic') {
          throw new RegistryError(ErrorCode.RegistryAuth, `${registry} needs a username and password`);
        }
        const response = await this.#sendWithRetry({
          request: {
            registry,
            method: 'GET',
            target: url.href,
            scopes: [],
            action: `login ${registry}`,
            expect: [],
          },
          url,
          authorization: basicAuthorization(credential),
          signal,
        });
        await response.body.dump();
        if (response.status !== 200) {
          throw registryErrorFromResponse({
            status: response.status,
            body: '',
            action: `login to ${registry}`,
          });
        }
        return;
      }
      default:
        assertNever(ping.auth, 'auth kind');
    }
  }

  /** Sends a request, authenticating as needed; throws a RegistryError unless the status is expected. */
  async send(req: RegistryRequest): Promise<RegistryResponse> {
    const url = req.target.startsWith('/')
      ? new URL(req.target, this.baseUrl(req.registry))
      : new URL(req.target);
    if (this.#auth.challenge(req.registry) === undefined && req.body !== undefined) {
      // learn the auth scheme before streaming a body that would be wasted on a 401
      await this.ping(req.registry, req.signal);
    }
    let extraScopes: readonly string[] = [];
    let forceRefresh = false;
    let response: RegistryResponse | undefined;
    for (let authRound = 0; ; authRound++) {
      const authorization = await this.#auth.authorization(
        req,
        [...req.scopes, ...extraScopes],
        forceRefresh,
      );
      response = await this.#sendWithRetry({ request: req, url, authorization, signal: req.signal });
      if (response.status !== 401 || authRound >= 2) break;
      const challenge = pickChallenge(parseChallenges(response.headers['www-authenticate']));
      if (challenge === undefined) break;
      const hadAuth = authorization !== undefined;
      if (hadAuth && challenge.kind === 'basic') break; // the credentials themselves were refused
      await response.body.dump();
      this.#auth.learn(req.registry, challenge);
      extraScopes = challenge.kind === 'bearer' ? challenge.scopes : [];
      forceRefresh = hadAuth;
    }
    if (!req.expect.includes(response.status)) {
      const body = req.method === 'HEAD' ? '' : await readText(response.body);
      if (req.method === 'HEAD') await response.body.dump();
      throw registryErrorFromResponse({ status: response.status, body, action: req.action });
    }
    return response;
  }

  async #sendWithRetry(input: {
    readonly request: RegistryRequest;
    readonly url: URL;
    readonly authorization: string | undefined;
    readonly signal: AbortSignal | undefined;
  }): Promise<RegistryResponse> {
    const { request: req } = input;
    const retries = req.retry === false ? 0 : this.retryPolicy.retries;
    for (let attempt = 0; ; attempt++) {
      let response: RegistryResponse;
      try {
        response = await this.#exchange(input);
      } catch (error) {
        if (attempt < retries && isRetryableError(error) && !input.signal?.aborted) {
          const delay = retryDelay(attempt, this.retryPolicy, undefined);
          this.options.log?.(`${req.action}: ${(error as Error).message}; retrying in ${delay} ms`);
          await sleep(delay, input.signal);
          continue;
        }
        throw this.#networkError(req, error);
      }
      if (attempt < retries && isRetryableStatus(response.status)) {
        await response.body.dump().catch(() => undefined);
        const delay = retryDelay(
          attempt,
          this.retryPolicy,
          parseRetryAfter(headerValue(response.headers, 'retry-after')),
        );
        this.options.log?.(`${req.action}: HTTP ${response.status}; retrying in ${delay} ms`);
        await sleep(delay, input.signal);
        continue;
      }
      return response;
    }
  }

  #networkError(req: RegistryRequest, error: unknown): unknown {
    if (error instanceof RegistryError) return error;
    // a request body that failed its own checks (a streamed blob that did not verify) keeps its code
    if (error instanceof KilnError && error.code !== ErrorCode.Aborted) return error;
    if (req.signal?.aborted) {
      return new RegistryError(ErrorCode.Aborted, `${req.action}: aborted`, { cause: error });
    }
    const code = (error as { code?: unknown }).code;
    const tls = typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|EPROTO/i.test(code);
    return new RegistryError(
      ErrorCode.RegistryUnreachable,
      `${req.action}: cannot reach ${req.registry}: ${(error as Error).message ?? String(error)}`,
      {
        cause: error,
        ...(tls
          ? { hint: 'TLS failed: pass the registry CA (--tls-ca-file) or mark the registry insecure' }
          : {}),
      },
    );
  }

  /** One attempt: the request plus any redirects (Authorization dropped when the origin changes). */
  async #exchange(input: {
    readonly request: RegistryRequest;
    readonly url: URL;
    readonly authorization: string | undefined;
    readonly signal: AbortSignal | undefined;
  }): Promise<RegistryResponse> {
    const req = input.request;
    let url = input.url;
    let method: HttpMethod = req.method;
    let authorization = input.authorization;
    let sendBody = true;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...req.headers };
      if (authorization !== undefined) headers.authorization = authorization;
      const body = sendBody && req.body !== undefined ? await req.body() : undefined;
      const response = await (await import('undici')).request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        dispatcher: await this.transport.dispatcherFor(url),
        ...(input.signal ? { signal: input.signal } : {}),
      });
      const location = headerValue(response.headers, 'location');
      if (!req.followRedirects || !REDIRECT_STATUSES.has(response.statusCode) || location === undefined) {
        return { status: response.statusCode, headers: response.headers, body: response.body, url };
      }
      await response.body.dump();
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(ErrorCode.Registry, `${req.action}: more than ${MAX_REDIRECTS} redirects`);
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new RegistryError(
          ErrorCode.Registry,
          `${req.action}: redirect to unsupported URL scheme ${next.protocol}`,
        );
      }
      if (next.origin !== url.origin) authorization = undefined;
      if (response.statusCode === 303 || method === 'POST') {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        sendBody = false;
      }
      url = next;
    }
  }

  /** Closes connection pools; the client must not be used afterwards. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** Creates a registry client. */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(options);
}
