/**
 * Servers for the build-secret end-to-end tests, all on 127.0.0.1: an HTTP server that serves files
 * only to requests carrying a bearer token, and an sshd run as an unprivileged user with its own host
 * key and authorized key (so `git clone` over ssh can be tried through a forwarded agent).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { listenOnLoopback } from '../harness/loopback-server.js';

export interface TokenServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Requests served (right token) and refused (missing or wrong token), by path. */
  readonly served: string[];
  readonly refused: string[];
  close(): Promise<void>;
}

export interface TokenServerOptions {
  /** The accepted bearer tokens (a request with any of them is served). */
  readonly tokens: readonly string[];
  /** Path → body. */
  readonly files: Readonly<Record<string, Buffer | string>>;
}

/** Starts the token-checking HTTP server on a random port. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const served: string[] = [];
  const refused: string[] = [];
  const server = createHttpServer((req, res) => {
    const path = req.url ?? '/';
    const auth = req.headers.authorization ?? '';
    if (!options.tokens.some((t) => auth === `Bearer ${t}`)) {
      refused.push(path);
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    const body = options.files[path];
    if (body === undefined) {
      res.writeHead(404).end('not found\n');
      return;
    }
    served.push(path);
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, port, served, refused, close };
}

const SSHD = '/usr/sbin/sshd';

/** Why the ssh test cannot run here, or undefined when sshd, ssh-keygen, ssh-agent and git exist. */
export function sshToolsMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (openssh-server)`;
  for (const tool of ['ssh-keygen', 'ssh-agent', 'ssh-add', 'ssh', 'git']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

/** A port of 127.0.0.1 free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface UserSshd {
  readonly port: number;
  close(): Promise<void>;
}

export interface UserSshdOptions {
  /** The user sshd runs as; the only user that can log in. */
  readonly user: string;
  /** A directory owned by `user` for the host key, config and authorized keys. */
  readonly dir: string;
  /** The public key allowed to log in (one authorized_keys line). */
  readonly authorizedKey: string;
}

/**
 * Runs sshd as `user` (no root daemon, no PAM: an unprivileged sshd can only log its own user in)
 * on a free port of 127.0.0.1, with its own host key. Resolves once it listens.
 */
export async function startUserSshd(options: UserSshdOptions): Promise<UserSshd> {
  await mkdir(options.dir, { recursive: true });
  const hostKey = join(options.dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await writeFile(join(options.dir, 'authorized_keys'), options.authorizedKey);
  execFileSync('chown', ['-R', options.user, options.dir]);
  await chmod(hostKey, 0o600);
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(options.dir, `sshd_config.${port}`);
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${join(options.dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PidFile none',
        `AllowUsers ${options.user}`,
        '',
      ].join('\n'),
    );
    const child = spawn('runuser', ['-u', options.user, '--', SSHD, '-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const listening = await waitForListening(child);
    if (listening.ok) {
      return { port, close: () => stop(child) };
    }
    lastError = listening.stderr;
    await stop(child);
  }
  throw new Error(`sshd did not start: ${lastError}`);
}

function waitForListening(child: ChildProcess): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    const timer = setTimeout(() => resolve({ ok: false, stderr: `${stderr} (timeout)` }), 10_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('Server listening')) {
        clearTimeout(timer);
        resolve({ ok: true, stderr });
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve({ ok: false, stderr });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
