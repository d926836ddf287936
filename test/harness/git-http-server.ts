/**
 * A git smart-HTTP server for tests: `git http-backend` (CGI) behind a tiny node HTTP server on
 * 127.0.0.1 with a random port, serving every repository below `root`. Repositories whose name is in
 * `private` are served only to requests carrying `Authorization: <header>`; others get 401. The
 * protocol v2 commands asked for (`ls-refs`, `fetch`) are recorded in order. With `tls`, it serves
 * https instead.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { listenOnLoopback } from './loopback-server.js';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` (`https://…` with `tls`) */
  readonly url: string;
  /** Request paths that were refused for missing or wrong credentials. */
  readonly refused: string[];
  /** Protocol v2 commands of the upload-pack requests served (`ls-refs`, `fetch`), in order. */
  readonly commands: string[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  /** Directory holding the (bare) repositories. */
  readonly root: string;
  /** Repository directory names that need `Authorization: <header>`. */
  readonly private?: ReadonlyMap<string, string>;
  /** PEM key and certificate (for 127.0.0.1): serve https. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** `{ skip }` value: a reason when git or its http backend is missing, else false. */
export function gitHttpSkip(): string | false {
  return existsSync(GIT_HTTP_BACKEND) ? false : `${GIT_HTTP_BACKEND} is missing (apt-get install git)`;
}

/**
 * A PATH whose `git` is the host's git trusting `caFile` for https (kiln runs git with a clean
 * environment, so the variable is set by a wrapper script in `dir`/bin).
 */
export async function gitPathTrusting(dir: string, caFile: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o755 });
  await writeFile(join(bin, 'git'), `#!/bin/sh\nGIT_SSL_CAINFO='${caFile}' exec /usr/bin/git "$@"\n`, {
    mode: 0o755,
  });
  return `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
}

function serveCgi(root: string, req: IncomingMessage, res: ServerResponse, commands: string[]): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const child = spawn(GIT_HTTP_BACKEND, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      ...(req.headers['content-encoding'] === undefined
        ? {}
        : { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }),
      ...(req.headers['git-protocol'] === undefined
        ? {}
        : { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const body: Buffer[] = [];
  req.on('data', (chunk: Buffer) => body.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(body);
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('latin1');
    const command = /command=([a-z-]+)/.exec(text);
    if (command !== null) commands.push(command[1]!);
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.stdout.on('end', () => res.end());
  child.on('error', () => res.writeHead(500).end());
}

/** Starts the server. */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const refused: string[] = [];
  const commands: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const repo = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).split('/')[1] ?? '';
    const wanted = options.private?.get(repo);
    if (wanted !== undefined && req.headers.authorization !== wanted) {
      refused.push(req.url ?? '/');
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    serveCgi(options.root, req, res, commands);
  };
  const server = options.tls === undefined ? createServer(handler) : createHttpsServer(options.tls, handler);
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    refused,
    commands,
    close,
  };
}
