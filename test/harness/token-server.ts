/**
 * A tiny token service for the distribution registry's `auth.token` mode: checks Basic credentials,
 * grants scopes by a policy, and issues RS256 JWTs whose `x5c` header carries the signing certificate.
 */

import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';
import type { KeyPair } from './tls.js';

/** Decides which of the requested actions a user gets (`user` undefined = anonymous). */
export type GrantPolicy = (
  user: string | undefined,
  resource: { readonly type: string; readonly name: string },
  actions: readonly string[],
) => readonly string[];

export interface TokenServerOptions {
  readonly signer: KeyPair;
  readonly issuer: string;
  readonly service: string;
  /** username → password */
  readonly users: Readonly<Record<string, string>>;
  /** Default: authenticated users get everything asked; anonymous users get nothing. */
  readonly grant?: GrantPolicy;
  /** Which field carries the token (default `token`). */
  readonly tokenField?: 'token' | 'access_token';
  /** Lifetime in seconds (default 300). */
  readonly expiresIn?: number;
}

/** One request the token server saw. */
export interface TokenRequestRecord {
  readonly user: string | undefined;
  readonly scopes: readonly string[];
}

export interface TokenServer {
  readonly url: string;
  readonly realm: string;
  /** Every token request so far (tests assert on token reuse). */
  readonly requests: readonly TokenRequestRecord[];
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function certDerBase64(pem: string): string {
  return pem
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----[\s\S]*/, '')
    .replace(/\s+/g, '');
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first === -1 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(','),
  };
}

const defaultGrant: GrantPolicy = (user, _resource, actions) => (user === undefined ? [] : actions);

/** Starts the token server on 127.0.0.1 with a random port. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(options.signer.keyPem);
  const x5c = [certDerBase64(options.signer.certPem)];
  const requests: TokenRequestRecord[] = [];
  const grant = options.grant ?? defaultGrant;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    let user: string | undefined;
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon < 0 || options.users[name] !== decoded.slice(colon + 1)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = name;
    }
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter((s) => s !== '');
    requests.push({ user, scopes });
    const access = scopes
      .map(parseScope)
      .filter((s) => s !== undefined)
      .map((s) => ({ type: s.type, name: s.name, actions: [...grant(user, s, s.actions)] }));
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const header64 = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }));
    const claims64 = b64url(
      JSON.stringify({
        iss: options.issuer,
        sub: user ?? '',
        aud: options.service,
        exp: now + expiresIn,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header64}.${claims64}`), key);
    const token = `${header64}.${claims64}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        [options.tokenField ?? 'token']: token,
        expires_in: expiresIn,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  };

  const server = createServer(handle);
  const { port, close } = await listenOnLoopback(server);
  const url = `http://127.0.0.1:${port}`;
  return { url, realm: `${url}/token`, requests, stop: close };
}
