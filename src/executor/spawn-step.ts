/**
 * Running the process that hosts a step: output split into lines, exit status mapped like a shell
 * (128+signal), abort through an AbortSignal.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ErrorCode, KilnError } from '../errors.js';
import { lineSink } from './lines.js';

export interface SpawnStepOptions {
  readonly program: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly onStdout?: (line: string) => void;
  readonly onStderr?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Called once on abort; must make the process (and everything it started) exit. */
  readonly kill: (pid: number) => Promise<void> | void;
}

/** Runs the host process; resolves with its exit code, rejects with E_ABORTED when aborted. */
export async function spawnStep(options: SpawnStepOptions): Promise<number> {
  options.signal?.throwIfAborted();
  const child = spawn(options.program, options.args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env });
  const out = lineSink(options.onStdout ?? (() => {}));
  const err = lineSink(options.onStderr ?? (() => {}));
  child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.write(chunk));
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    if (child.pid !== undefined)
      void Promise.resolve(options.kill(child.pid)).catch(() => child.kill('SIGKILL'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', (cause) =>
        reject(new KilnError(ErrorCode.Executor, `cannot start ${options.program}`, { cause })),
      );
      child.on('close', (status, signal) => {
        resolve(status ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
      });
    });
    out.end();
    err.end();
    if (aborted)
      throw new KilnError(ErrorCode.Aborted, 'the step was aborted', { cause: options.signal?.reason });
    return code;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
