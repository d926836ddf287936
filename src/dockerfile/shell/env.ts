/**
 * The variables a word is expanded against. Names are case-sensitive (BuildKit on Linux).
 */

/** Variables by name: a plain record (own properties only) or a map. */
export type ShellEnv = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

/** The value of `name`, or `undefined` when it is not set (an empty value is set). */
export function lookupEnv(env: ShellEnv, name: string): string | undefined {
  if (isMap(env)) return env.get(name);
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/**
 * Builds an env from `KEY=value` entries the way BuildKit's `EnvsFromSlice` does:
 * the text before the first `=` is the name, an entry without `=` sets the name to "",
 * and the last entry for a name wins.
 */
export function envFromList(entries: readonly string[]): ReadonlyMap<string, string> {
  const env = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) env.set(entry, '');
    else env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function isMap(env: ShellEnv): env is ReadonlyMap<string, string> {
  return env instanceof Map;
}
