/**
 * Docker credential helpers (`docker-credential-<name> get|store|erase`): the server URL or a JSON
 * document on stdin, a JSON document or an error message on stdout.
 */
import { spawn } from 'node:child_process';
import { ErrorCode, KilnError } from '../../errors.js';
import type { Credential } from './types.js';

/** How to run helpers: the environment (PATH) they see, and an optional timeout. */
export interface HelperRunOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

interface HelperResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runHelper(
  helper: string,
  verb: string,
  input: string,
  options: HelperRunOptions,
): Promise<HelperResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return Promise.reject(
      new KilnError(ErrorCode.Credentials, `invalid credential helper name ${JSON.stringify(helper)}`),
    );
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [verb], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    timer.unref();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new KilnError(ErrorCode.Credentials, `cannot run credential helper ${program}`, { cause }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The server URL helpers are keyed by: Docker Hub's legacy URL, else the bare `host[:port]`. */
export function helperServerUrl(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

function isNotFound(result: HelperResult): boolean {
  return /credentials not found/i.test(result.stdout) || /credentials not found/i.test(result.stderr);
}

/** `get`: the stored credential, or undefined when the helper has none for this registry. */
export async function helperGet(
  helper: string,
  registry: string,
  options: HelperRunOptions,
): Promise<Credential | undefined> {
  const result = await runHelper(helper, 'get', helperServerUrl(registry), options);
  if (result.code !== 0) {
    if (isNotFound(result)) return undefined;
    throw new KilnError(
      ErrorCode.Credentials,
      `credential helper docker-credential-${helper} get failed: ${(result.stdout + result.stderr).trim()}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(result.stdout);
  } catch (cause) {
    throw new KilnError(
      ErrorCode.Credentials,
      `credential helper docker-credential-${helper} printed invalid JSON`,
      {
        cause,
      },
    );
  }
  const { Username, Secret } = (value ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof Secret !== 'string' || Secret === '') return undefined;
  if (Username === '<token>') return { kind: 'identityToken', token: Secret };
  return { kind: 'basic', username: typeof Username === 'string' ? Username : '', password: Secret };
}

/** `store`: saves a credential through the helper. */
export async function helperStore(
  helper: string,
  registry: string,
  credential: Credential,
  options: HelperRunOptions,
): Promise<void> {
  const body =
    credential.kind === 'basic'
      ? { ServerURL: helperServerUrl(registry), Username: credential.username, Secret: credential.password }
      : { ServerURL: helperServerUrl(registry), Username: '<token>', Secret: credential.token };
  const result = await runHelper(helper, 'store', JSON.stringify(body), options);
  if (result.code !== 0) {
    throw new KilnError(
      ErrorCode.Credentials,
      `credential helper docker-credential-${helper} store failed: ${(result.stdout + result.stderr).trim()}`,
    );
  }
}

/** `erase`: removes the helper's credential; true when one was removed, false when there was none. */
export async function helperErase(
  helper: string,
  registry: string,
  options: HelperRunOptions,
): Promise<boolean> {
  const result = await runHelper(helper, 'erase', helperServerUrl(registry), options);
  if (result.code === 0) return true;
  if (isNotFound(result)) return false;
  throw new KilnError(
    ErrorCode.Credentials,
    `credential helper docker-credential-${helper} erase failed: ${(result.stdout + result.stderr).trim()}`,
  );
}
