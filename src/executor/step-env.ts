/**
 * Handing a step's environment to its command in the chroot strategies without putting any value on a
 * command line (values may be secrets, e.g. `RUN --mount=type=secret,env=TOKEN`, and every process's
 * /proc/PID/cmdline is readable by all users of the host).
 *
 * The values travel in the spawned process's environment under private carrier names
 * (`__kiln_step_env_0`, `__kiln_step_env_1`, …), which no shell or host helper gives a meaning to. The
 * last hop before the chroot is GNU `env -i -S 'NAME=${__kiln_step_env_0} …'`: env expands the `${…}`
 * references itself, in-process, then clears its environment and sets exactly the step's variables, so
 * the command line shows only names and references. Carrying values under private names also keeps the
 * step's own variables (PATH, IFS, LD_PRELOAD, BASH_ENV, names that are not shell identifiers…) away
 * from the set-up shell and the host helpers, which would otherwise interpret or drop them.
 */
import { ErrorCode, KilnError } from '../errors.js';

/** Prefix of the carrier variables; a step variable may not use it. */
export const ENV_CARRIER_PREFIX = '__kiln_step_env_';

/** The environment hand-over of one step. */
export interface EnvHandOver {
  /** Carrier variables to add to the spawned process's environment (values live only here). */
  readonly carriers: Readonly<Record<string, string>>;
  /** The argument of `env -S`: `NAME=${carrier}` assignments, names quoted for env's splitter. */
  readonly splitString: string;
}

/** Names made only of these characters need no quoting in an `env -S` string. */
const PLAIN_NAME = /^[A-Za-z0-9_.,:/+@%-]+$/;

/** Quotes a variable name for GNU env's `-S` splitter (single quotes: only `\\` and `\'` are escapes). */
function splitQuote(name: string): string {
  if (PLAIN_NAME.test(name)) return name;
  return `'${name.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Builds the hand-over for `KEY=value` entries (later entries win, as with `env`). Pure; throws
 * E_EXECUTOR for an entry without a name or one that uses the carrier prefix.
 */
export function envHandOver(env: readonly string[]): EnvHandOver {
  const carriers: Record<string, string> = {};
  const assignments: string[] = [];
  env.forEach((entry, index) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new KilnError(
        ErrorCode.Executor,
        `invalid environment entry ${JSON.stringify(entry)}: want KEY=value`,
      );
    }
    const name = entry.slice(0, eq);
    if (name.startsWith(ENV_CARRIER_PREFIX)) {
      throw new KilnError(ErrorCode.Executor, `environment variable ${name} uses a name reserved by kiln`, {
        hint: `rename it: names starting with ${ENV_CARRIER_PREFIX} carry the step's environment`,
      });
    }
    const carrier = `${ENV_CARRIER_PREFIX}${index}`;
    carriers[carrier] = entry.slice(eq + 1);
    // Double quotes keep a value with spaces (or none) as one assignment; env expands ${…} inside them.
    assignments.push(`${splitQuote(name)}="\${${carrier}}"`);
  });
  return { carriers, splitString: assignments.join(' ') };
}
