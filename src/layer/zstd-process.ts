/**
 * zstd through the `zstd` command-line tool as a child-process stream.
 *
 * Why the CLI: Node 20's zlib has no zstd (it arrived in Node 22.15 / 23.8), a WASM or native npm
 * binding would be a new dependency with its own supply-chain and build risk, and the `zstd` tool is
 * packaged everywhere, streams with bounded memory, and is the reference implementation.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';

export interface ZstdOptions {
  readonly mode: 'compress' | 'decompress';
  /** Compression level 1–19 (compress only; default 3, zstd's own default). */
  readonly level?: number;
  readonly signal?: AbortSignal;
}

/**
 * Pipes `input` through `zstd` and returns its output. A non-zero exit (corrupt input) destroys the
 * output with E_UNSAFE_ARCHIVE; a missing binary with E_USAGE and a hint.
 */
export function zstdStream(input: Readable, options: ZstdOptions): Readable {
  const level = options.level ?? 3;
  if (!Number.isInteger(level) || level < 1 || level > 19) {
    throw new KilnError(ErrorCode.Usage, `zstd level must be an integer 1–19, got ${level}`);
  }
  const args = options.mode === 'compress' ? ['-q', '-c', `-${level}`] : ['-q', '-d', '-c'];
  const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
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
    if (error.code === 'ENOENT') {
      fail(
        new KilnError(ErrorCode.Usage, 'zstd layers need the `zstd` program, which is not installed', {
          hint: 'install the zstd package (Debian/Ubuntu: apt-get install zstd)',
          cause: error,
        }),
      );
    } else if (error.name === 'AbortError') {
      fail(new KilnError(ErrorCode.Aborted, 'zstd aborted', { cause: error }));
    } else {
      fail(new KilnError(ErrorCode.Internal, `zstd failed: ${error.message}`, { cause: error }));
    }
  });
  // EPIPE when zstd exits early on bad input: the exit status carries the real error.
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
    const detail = stderr.trim().split('\n').pop() ?? '';
    fail(new KilnError(ErrorCode.UnsafeArchive, `zstd ${options.mode} failed (exit ${code}): ${detail}`));
  });
  out.on('close', () => {
    if (child.exitCode === null && failure === undefined) {
      failure = new KilnError(ErrorCode.Aborted, 'zstd output closed early');
      child.kill('SIGKILL');
      input.unpipe(child.stdin);
    }
  });
  return out;
}
