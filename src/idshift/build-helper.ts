/**
 * Compiling the kiln-idshift helper with the host's C compiler (no downloads: only libc headers and
 * linux-libc-dev are needed), and checking that the running kernel supports it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, KilnError } from '../errors.js';
import { idshiftSourcePath } from './helper-source.js';

const run = promisify(execFile);

export interface BuildIdshiftHelperOptions {
  /** Where the executable goes (written to a temp file beside it, then renamed: atomic). */
  readonly output: string;
  /** The C compiler (default `cc`). */
  readonly compiler?: string;
  /** The C source (default: the one shipped with kiln). */
  readonly source?: string;
  /** PATH to find the compiler with (default: this process's). */
  readonly pathVar?: string;
  readonly signal?: AbortSignal;
}

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  return stderr.trim() || (error instanceof Error ? error.message : String(error));
}

/** Compiles the helper; resolves with `options.output`. E_IDSHIFT when the compiler fails. */
export async function buildIdshiftHelper(options: BuildIdshiftHelperOptions): Promise<string> {
  const source = options.source ?? idshiftSourcePath();
  await mkdir(dirname(options.output), { recursive: true, mode: 0o700 });
  const temp = `${options.output}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await run(options.compiler ?? 'cc', ['-O2', '-Wall', '-o', temp, source], {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.pathVar === undefined ? {} : { env: { ...process.env, PATH: options.pathVar } }),
    });
    await rename(temp, options.output);
  } catch (error) {
    await rm(temp, { force: true });
    throw new KilnError(ErrorCode.IdShift, `cannot compile ${source}: ${stderrOf(error)}`, {
      cause: error,
      hint: 'install a C compiler and the C library headers (Debian: apt-get install gcc libc6-dev)',
    });
  }
  return options.output;
}

export interface CheckIdshiftHelperOptions {
  readonly helper: string;
  /** A directory on the filesystem steps will write (user xattrs must work there). */
  readonly workDir: string;
  readonly signal?: AbortSignal;
}

/**
 * Runs `helper --probe FILE` on a scratch file in `workDir`: it chowns the file to 1000:1001 and back
 * under the filter, checking both through stat. E_IDSHIFT when the kernel (or a surrounding seccomp
 * profile) refuses user notification, or the filesystem has no user xattrs.
 */
export async function checkIdshiftHelper(options: CheckIdshiftHelperOptions): Promise<void> {
  const dir = await mkdtemp(join(options.workDir, 'idshift-probe-'));
  try {
    const file = join(dir, 'probe');
    await writeFile(file, '');
    await run(options.helper, ['--probe', file], {
      timeout: 10_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'number' && code < 125 ? `probe step ${code} failed` : stderrOf(error);
    throw new KilnError(ErrorCode.IdShift, `kiln-idshift does not work here: ${reason}`, {
      cause: error,
      hint: 'needs Linux >= 5.6 with seccomp user notification and user xattrs on the kiln root filesystem',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
