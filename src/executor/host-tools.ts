/** The host programs the chroot strategies use, resolved to absolute paths once. */
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
    env: await need('env', 'coreutils'),
    ip: await findProgram('ip', pathVar),
    hostname: await findProgram('hostname', pathVar),
  };
}
