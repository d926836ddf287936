/** The host programs the chroot strategies use, resolved to absolute paths once. */
import { execFile } from 'node:child_process';
import { ErrorCode, KilnError } from '../errors.js';
import { findProgram } from '../userns/prerequisites.js';

export interface HostTools {
  readonly sh: string;
  readonly unshare: string;
  readonly mount: string;
  readonly setpriv: string;
  readonly env: string;
  /** iproute2 `ip`, for bringing `lo` up in a new network namespace (optional). */
  readonly ip: string | undefined;
  readonly hostname: string | undefined;
  /** util-linux prlimit, for `--ulimit` in the chroot strategies (optional). */
  readonly prlimit?: string | undefined;
}

/** Finds the tools; throws E_EXECUTOR naming the package when a required one is missing. */
export async function findHostTools(pathVar: string | undefined): Promise<HostTools> {
  const need = async (name: string, pkg: string) => {
    const found = await findProgram(name, pathVar);
    if (found === undefined) {
      throw new KilnError(ErrorCode.Executor, `${name} was not found on PATH`, { hint: `install ${pkg}` });
    }
    return found;
  };
  return {
    sh: await need('sh', 'a POSIX shell'),
    unshare: await need('unshare', 'util-linux'),
    mount: await need('mount', 'mount (util-linux)'),
    setpriv: await need('setpriv', 'util-linux (setpriv)'),
    env: await splitStringEnv(await need('env', 'coreutils')),
    ip: await findProgram('ip', pathVar),
    hostname: await findProgram('hostname', pathVar),
    prlimit: await findProgram('prlimit', pathVar),
  };
}

/**
 * Checks that `env` expands `${VAR}` in `-S` strings (GNU coreutils >= 8.30), which the chroot
 * strategies rely on to keep environment values off command lines; returns the path when it does.
 */
async function splitStringEnv(path: string): Promise<string> {
  const works = await new Promise<boolean>((resolve) => {
    execFile(
      path,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: env -S expands ${VAR} itself
      ['-i', '-S', 'KILN_PROBE="${KILN_PROBE_VALUE}"', path],
      { env: { KILN_PROBE_VALUE: 'a b' }, timeout: 10_000 },
      (error, stdout) => resolve(error === null && stdout === 'KILN_PROBE=a b\n'),
    );
  });
  if (!works) {
    throw new KilnError(ErrorCode.Executor, `${path} does not support -S with \${VAR} expansion`, {
      hint: 'install GNU coreutils >= 8.30, or use --isolation oci',
    });
  }
  return path;
}
