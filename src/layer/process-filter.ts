/**
 * A stream filtered through an external program (`zstd -d`, `xz -d`, …): bytes in on stdin, bytes out on
 * stdout, with failures mapped to typed errors and the child killed when either side goes away.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';

export interface ProcessFilterOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly signal?: AbortSignal;
  /** Error when the program is not installed (E_USAGE with an install hint, typically). */
  missing(cause: Error): KilnError;
  /** Error for a non-zero exit (bad input, usually E_UNSAFE_ARCHIVE); `detail` is stderr's last line. */
  failed(code: number | null, detail: string): KilnError;
  /** Output buffering; 1 MiB by default. */
  readonly highWaterMark?: number;
}

/** Pipes `input` through the program and returns its output stream. */
export function processFilter(input: Readable, options: ProcessFilterOptions): Readable {
  const child = spawn(options.command, options.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    signal: options.signal,
  });
  const out = new PassThrough({ highWaterMark: options.highWaterMark ?? 1024 * 1024 });
  let stderr = '';
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    if (failure !== undefined) return;
    failure = error;
    child.kill('SIGKILL');
    input.unpipe(child.stdin);
    out.destroy(error);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') fail(options.missing(error));
    else if (error.name === 'AbortError') {
      fail(new KilnError(ErrorCode.Aborted, `${options.command} aborted`, { cause: error }));
    } else
      fail(
        new KilnError(ErrorCode.Internal, `${options.command} failed: ${error.message}`, { cause: error }),
      );
  });
  // EPIPE when the program exits early on bad input: the exit status carries the real error.
  child.stdin.on('error', () => {});
  input.on('error', (error) => fail(error));
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (failure !== undefined) return;
    if (code === 0) {
      out.end();
      return;
    }
    fail(options.failed(code, stderr.trim().split('\n').pop() ?? ''));
  });
  out.on('close', () => {
    if (child.exitCode === null && failure === undefined) {
      failure = new KilnError(ErrorCode.Aborted, `${options.command} output closed early`);
      child.kill('SIGKILL');
      input.unpipe(child.stdin);
    }
  });
  return out;
}
