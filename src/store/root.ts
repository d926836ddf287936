/**
 * Where kiln keeps its data: the kiln root (store, and later snapshots and cache) and the OCI image
 * layout inside it.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

export interface KilnRootOptions {
  /** An explicit root (from `--root` or a library caller); wins over everything else. */
  readonly root?: string;
  /** The environment to consult (`KILN_ROOT`, `XDG_DATA_HOME`, `HOME`); passed in, never read globally. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves a relative explicit root; defaults to `process.cwd()` at call time. */
  readonly cwd?: string;
  /** Home directory fallback when `env.HOME` is unset; defaults to `os.homedir()`. */
  readonly homeDir?: string;
}

/**
 * Chooses the kiln root: explicit option > `KILN_ROOT` > `$XDG_DATA_HOME/kiln` > `~/.local/share/kiln`.
 * Always returns an absolute path.
 */
export function resolveKilnRoot(options: KilnRootOptions = {}): string {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const explicit = nonEmpty(options.root) ?? nonEmpty(env.KILN_ROOT);
  if (explicit !== undefined) return resolve(cwd, explicit);
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'kiln');
  const home = nonEmpty(env.HOME) ?? options.homeDir ?? homedir();
  if (!isAbsolute(home)) {
    throw new KilnError(
      ErrorCode.Store,
      `cannot choose a kiln root: home directory ${JSON.stringify(home)} is not absolute`,
      {
        hint: 'pass --root <dir> or set KILN_ROOT',
      },
    );
  }
  return join(home, '.local', 'share', 'kiln');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
