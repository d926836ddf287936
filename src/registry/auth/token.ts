/**
 * Bearer tokens from a registry's token service (distribution token auth spec): GET with Basic
 * credentials, or the OAuth2 refresh-token POST for identity tokens; `token` or `access_token`.
 */
import type { Dispatcher } from 'undici';
import { ErrorCode } from '../../errors.js';
import type { Credential } from '../credentials/types.js';
import { RegistryError } from '../errors.js';

/** A bearer token and when it stops being usable (epoch ms). */
export interface BearerToken {
  readonly token: string;
  readonly expiresAt: number;
  /** Scopes it was requested for (canonical form). */
  readonly scopes: readonly string[];
}

export interface FetchTokenOptions {
  readonly realm: string;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly credential: Credential | undefined;
  readonly dispatcher: Dispatcher;
  readonly signal?: AbortSignal;
  readonly userAgent: string;
  readonly now?: () => number;
}

/** Tokens are treated as expired this long before their stated expiry. */
const EXPIRY_MARGIN_MS = 5_000;
/** Spec default when the token service gives no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 60;

function realmUrl(realm: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch (cause) {
    throw new RegistryError(ErrorCode.Registry, `invalid token realm ${JSON.stringify(realm)}`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RegistryError(ErrorCode.Registry, `unsupported token realm scheme ${url.protocol}`);
  }
  return url;
}

/** Reads `token` / `access_token`, `expires_in` and `issued_at` from a token service answer. */
export function parseTokenResponse(text: string, scopes: readonly string[], now: number): BearerToken {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RegistryError(ErrorCode.Registry, 'token service answered with invalid JSON', { cause });
  }
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const token =
    typeof body.token === 'string' && body.token !== ''
      ? body.token
      : typeof body.access_token === 'string'
        ? body.access_token
        : '';
  if (token === '') throw new RegistryError(ErrorCode.Registry, 'token service answered without a token');
  const expiresIn =
    typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN_S;
  const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : Number.NaN;
  // Trust the issue time only when the clocks roughly agree; otherwise count from now.
  const start = Number.isNaN(issued) || Math.abs(issued - now) > 60_000 ? now : issued;
  return { token, expiresAt: start + expiresIn * 1000 - EXPIRY_MARGIN_MS, scopes };
}

/** Asks the token service for a token covering `scopes`. */
export async function fetchToken(options: FetchTokenOptions): Promise<BearerToken> {
  const url = realmUrl(options.realm);
  const now = options.now ?? Date.now;
  const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (options.credential?.kind === 'identityToken') {
    method = 'POST';
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: options.credential.token,
      client_id: 'kiln',
    });
    if (options.service) form.set('service', options.service);
    if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (options.service) url.searchParams.set('service', options.service);
    for (const scope of options.scopes) url.searchParams.append('scope', scope);
    if (options.credential?.kind === 'basic') {
      const { username, password } = options.credential;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
  }
  let response: Dispatcher.ResponseData;
  try {
    response = await (await import('undici')).request(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: options.dispatcher,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (cause) {
    throw new RegistryError(ErrorCode.RegistryUnreachable, `cannot reach token service ${url.origin}`, {
      cause,
    });
  }
  const text = await response.body.text();
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new RegistryError(ErrorCode.RegistryAuth, `token service ${url.origin} refused the credentials`, {
      status: response.statusCode,
      hint: 'check the credentials (kiln login REGISTRY)',
    });
  }
  if (response.statusCode !== 200) {
    throw new RegistryError(
      response.statusCode >= 500 ? ErrorCode.RegistryUnreachable : ErrorCode.Registry,
      `token service ${url.origin} answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`,
      { status: response.statusCode },
    );
  }
  return parseTokenResponse(text, options.scopes, now());
}
