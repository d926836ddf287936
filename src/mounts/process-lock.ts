/**
 * Advisory file locks shared across processes: flock(2) through util-linux `flock(1)`, which holds the
 * lock while its child (`cat`, reading a pipe from kiln) runs. The kernel drops the lock when the
 * holder ends — including when kiln is killed, since the pipe then closes — so there is no stale lock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ErrorCode, KilnError } from '../errors.js';

export type LockMode = 'shared' | 'exclusive';

/** A held lock. */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockFileOptions {
  readonly mode: LockMode;
  /** false: give up at once when the lock is taken (returns undefined). */
  readonly wait: boolean;
  readonly signal?: AbortSignal;
  /** PATH to find flock (default /usr/bin:/bin). */
  readonly pathVar?: string;
}

const CONFLICT = 75;

/** Takes a lock on `path` (the file is created when missing); undefined when busy and `wait` is false. */
export function lockFile(path: string, options: LockFileOptions): Promise<HeldLock | undefined> {
  if (options.signal?.aborted) {
    return Promise.reject(new KilnError(ErrorCode.Aborted, `aborted before locking ${path}`));
  }
  const args = [
    options.mode === 'shared' ? '--shared' : '--exclusive',
    ...(options.wait ? [] : ['--nonblock', '--conflict-exit-code', String(CONFLICT)]),
    path,
    'sh',
    '-c',
    'echo locked; exec cat >/dev/null',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('flock', args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: options.pathVar ?? '/usr/bin:/bin' },
    });
    let stderr = '';
    let settled = false;
    const onAbort = () => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdin.on('error', () => undefined);
    child.stdout.once('data', () => {
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ release: () => releaseChild(child) });
    });
    child.on('error', (cause) => {
      if (settled) return;
      settled = true;
      reject(new KilnError(ErrorCode.Executor, `cannot run flock: ${cause.message}`, { cause }));
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted)
        reject(new KilnError(ErrorCode.Aborted, `aborted while waiting for ${path}`));
      else if (code === CONFLICT && !options.wait) resolve(undefined);
      else
        reject(new KilnError(ErrorCode.Executor, `cannot lock ${path}: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}

function releaseChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.stdin?.end();
  });
}
