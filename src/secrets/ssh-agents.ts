/**
 * The build's SSH agents, one per `--ssh` id: the caller's agent socket as given (or $SSH_AUTH_SOCK
 * for `default`), or a private `ssh-agent` that kiln starts, loads the given key files into, and stops
 * when the build ends. Passphrase-protected key files are refused (there is no terminal to ask on):
 * load them into an agent yourself and pass its socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, KilnError } from '../errors.js';
import { isEncryptedPrivateKey, type SshSpec } from './ssh-spec.js';
import type { TmpfsScratch } from './tmpfs-scratch.js';

/** Agent sockets by id; `close` stops the agents kiln started. */
export interface SshAgents {
  readonly ids: readonly string[];
  socketOf(id: string): string | undefined;
  close(): Promise<void>;
}

export interface StartSshAgentsOptions {
  readonly specs: readonly SshSpec[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where private agents put their sockets (a tmpfs scratch dir). */
  readonly scratch: TmpfsScratch;
  /** PATH to find ssh-agent / ssh-add (default: the env's PATH). */
  readonly pathVar?: string;
}

async function isSocket(path: string): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  return st?.isSocket() ?? false;
}

function sshError(message: string, cause?: unknown, hint?: string): KilnError {
  return new KilnError(ErrorCode.Secret, message, { cause, hint });
}

/** Starts (or looks up) the agents for `specs`; on failure, the ones already started are stopped. */
export async function startSshAgents(options: StartSshAgentsOptions): Promise<SshAgents> {
  const sockets = new Map<string, string>();
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    let n = 0;
    for (const spec of options.specs) {
      if (sockets.has(spec.id)) throw new KilnError(ErrorCode.Usage, `--ssh id ${spec.id} given twice`);
      const paths =
        spec.paths.length > 0 ? spec.paths : spec.id === 'default' ? [options.env.SSH_AUTH_SOCK ?? ''] : [];
      if (paths.length === 0 || paths[0] === '') {
        throw sshError(
          `--ssh ${spec.id}: no agent socket or key given${spec.id === 'default' ? ' and SSH_AUTH_SOCK is not set' : ''}`,
          undefined,
          'start ssh-agent and ssh-add your key, or pass --ssh ID=KEYFILE',
        );
      }
      if (paths.length === 1 && (await isSocket(paths[0]!))) {
        sockets.set(spec.id, paths[0]!);
        continue;
      }
      const keys: Buffer[] = [];
      for (const path of paths) {
        if (await isSocket(path)) {
          throw sshError(`--ssh ${spec.id}: ${path} is a socket; give one socket or only key files`);
        }
        const key = await readFile(path).catch((cause: unknown) => {
          throw sshError(
            `--ssh ${spec.id}: cannot read key file ${path}: ${(cause as Error).message}`,
            cause,
          );
        });
        if (isEncryptedPrivateKey(key.toString('latin1'))) {
          throw sshError(
            `--ssh ${spec.id}: key file ${path} is protected by a passphrase`,
            undefined,
            'load it into an agent (ssh-add) and pass --ssh ID=$SSH_AUTH_SOCK instead',
          );
        }
        keys.push(key);
      }
      const socket = join(options.scratch.path, `agent-${n++}.sock`);
      const child = spawn('ssh-agent', ['-D', '-a', socket], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: options.pathVar ?? options.env.PATH ?? '/usr/bin:/bin' },
      });
      children.push(child);
      await waitForSocket(child, socket);
      for (const [i, key] of keys.entries()) await sshAdd(socket, key, `${spec.id} key ${paths[i]}`, options);
      sockets.set(spec.id, socket);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { ids: [...sockets.keys()], socketOf: (id) => sockets.get(id), close };
}

async function waitForSocket(child: ChildProcess, socket: string): Promise<void> {
  let failed: unknown;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  child.once('error', (e) => {
    failed = e;
  });
  for (let i = 0; i < 200; i++) {
    if (failed !== undefined || child.exitCode !== null) {
      throw sshError(`cannot start ssh-agent: ${stderr.trim() || String(failed ?? child.exitCode)}`, failed);
    }
    if (await isSocket(socket)) return;
    await sleep(25);
  }
  throw sshError('ssh-agent did not create its socket within 5 s');
}

function sshAdd(socket: string, key: Buffer, what: string, options: StartSshAgentsOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-add', ['-q', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: {
        PATH: options.pathVar ?? options.env.PATH ?? '/usr/bin:/bin',
        SSH_AUTH_SOCK: socket,
        SSH_ASKPASS_REQUIRE: 'never',
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', (cause) => reject(sshError(`cannot run ssh-add: ${cause.message}`, cause)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(sshError(`ssh-add refused ${what}: ${stderr.trim() || `exit ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(key);
  });
}

/**
 * SIGTERM, then SIGKILL if the agent is still there after 2 s. The fallback timer is cleared as soon as
 * the agent is gone: left pending, it kept the event loop (and so the CLI) alive for 2 s after every
 * build that started an agent.
 */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const fallback = setTimeout(() => child.kill('SIGKILL'), 2000);
  child.kill('SIGTERM');
  try {
    await closed;
  } finally {
    clearTimeout(fallback);
  }
}
