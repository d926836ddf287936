/**
 * Test registries: Debian's distribution v2 registry (`/usr/bin/docker-registry`) on 127.0.0.1 with a
 * random port and a temporary config — without auth, with htpasswd Basic auth, with token auth (served
 * by `token-server.ts`), or with TLS from a throwaway CA. Every function returns `{ url, host, stop() }`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { type KeyPair, makeSelfSigned, makeServerCert } from './tls.js';
import { type GrantPolicy, startTokenServer, type TokenServer } from './token-server.js';

const run = promisify(execFile);

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** `{ skip }` value for tests that need a real registry: a reason when the binary is missing, else false. */
export function registrySkip(): string | false {
  return existsSync(REGISTRY_BINARY)
    ? false
    : `${REGISTRY_BINARY} is not installed (scripts/setup-host.sh installs it)`;
}

/** `{ skip }` value for tests that need a command on PATH (skopeo, umoci…) as well as a registry. */
export function toolSkip(...commands: readonly string[]): string | false {
  const missing = commands.find(
    (command) => !(process.env.PATH ?? '').split(':').some((dir) => existsSync(`${dir}/${command}`)),
  );
  return missing !== undefined
    ? `${missing} is not installed (scripts/setup-host.sh installs it)`
    : registrySkip();
}

/** A running test registry. */
export interface TestRegistry {
  /** `http://127.0.0.1:PORT` or `https://…` */
  readonly url: string;
  /** `127.0.0.1:PORT` — the registry name in references. */
  readonly host: string;
  /** The registry's storage directory. */
  readonly dataDir: string;
  /** For TLS registries: the CA certificate file that signed the server certificate. */
  readonly caFile?: string;
  /** For token registries: the token server. */
  readonly tokenServer?: TokenServer;
  /** The registry's log output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again before returning; races are unlikely in tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface LaunchOptions {
  readonly dir: string;
  readonly auth?: Record<string, unknown>;
  readonly tls?: { readonly certificate: string; readonly key: string };
  readonly ca?: string;
  readonly cleanup?: () => Promise<void>;
  readonly tokenServer?: TokenServer;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  // readiness only: the certificate is checked by the tests themselves
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited early:\n${log()}`);
      try {
        const res = await request(`${url}/v2/`, { dispatcher });
        await res.body.dump();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`docker-registry did not start:\n${log()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    await dispatcher.close();
  }
}

async function launch(options: LaunchOptions): Promise<TestRegistry> {
  const port = await freePort();
  const dataDir = join(options.dir, 'data');
  const config = {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: 'kiln-test-secret',
      ...(options.tls ? { tls: options.tls } : {}),
    },
    ...(options.auth ? { auth: options.auth } : {}),
  };
  const configFile = join(options.dir, 'config.yml');
  // YAML is a superset of JSON.
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const child = spawn(REGISTRY_BINARY, ['serve', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.dir },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  // If the test process dies without calling stop(), do not leave the registry running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await options.tokenServer?.stop();
    await options.cleanup?.();
    await rm(options.dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    dataDir,
    ...(options.ca ? { caFile: options.ca } : {}),
    ...(options.tokenServer ? { tokenServer: options.tokenServer } : {}),
    log: () => output,
    stop,
  };
}

function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kiln-registry-'));
}

/** A registry without authentication, plain HTTP. */
export async function startPlainRegistry(): Promise<TestRegistry> {
  return launch({ dir: await tempDir() });
}

/** A registry with htpasswd Basic auth (bcrypt entries made with `htpasswd -Bbn`). */
export async function startBasicAuthRegistry(users: Readonly<Record<string, string>>): Promise<TestRegistry> {
  const dir = await tempDir();
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const { stdout } = await run('htpasswd', ['-Bbn', user, password]);
    lines.push(stdout.trim());
  }
  const path = join(dir, 'htpasswd');
  await writeFile(path, `${lines.join('\n')}\n`);
  return launch({ dir, auth: { htpasswd: { realm: 'kiln-test', path } } });
}

export interface TokenRegistryOptions {
  readonly users: Readonly<Record<string, string>>;
  readonly grant?: GrantPolicy;
  readonly tokenField?: 'token' | 'access_token';
  readonly expiresIn?: number;
}

/** A registry with token auth, its tokens issued by a test token server signed with a throwaway key. */
export async function startTokenAuthRegistry(options: TokenRegistryOptions): Promise<TestRegistry> {
  const dir = await tempDir();
  const signer: KeyPair = await makeSelfSigned(dir, 'token-signer', '/CN=kiln-test-token-signer');
  const service = 'kiln-test-registry';
  const issuer = 'kiln-test-issuer';
  const tokenServer = await startTokenServer({
    signer,
    issuer,
    service,
    users: options.users,
    ...(options.grant ? { grant: options.grant } : {}),
    ...(options.tokenField ? { tokenField: options.tokenField } : {}),
    ...(options.expiresIn ? { expiresIn: options.expiresIn } : {}),
  });
  try {
    return await launch({
      dir,
      auth: { token: { realm: tokenServer.realm, service, issuer, rootcertbundle: signer.certFile } },
      tokenServer,
    });
  } catch (error) {
    await tokenServer.stop();
    throw error;
  }
}

/** A registry serving HTTPS with a certificate from a throwaway CA (`caFile` in the result). */
export async function startTlsRegistry(): Promise<TestRegistry> {
  const dir = await tempDir();
  const ca = await makeSelfSigned(dir, 'ca', '/CN=kiln-test-ca');
  const server = await makeServerCert(dir, ca);
  return launch({ dir, tls: { certificate: server.certFile, key: server.keyFile }, ca: ca.certFile });
}
