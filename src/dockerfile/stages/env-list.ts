/**
 * Image-config style `KEY=value` lists (what ENV produces in the image), as dockerfile2llb edits them.
 */

/** Splits `key=value` at the first `=`; a bare `key` has the value ''. */
export function parseKeyValue(entry: string): { readonly key: string; readonly value: string } {
  const eq = entry.indexOf('=');
  return eq < 0 ? { key: entry, value: '' } : { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/** Sets `key`: replaces the first entry with that key (also a bare `key`) in place, else appends. */
export function addEnv(env: readonly string[], key: string, value: string): readonly string[] {
  const index = env.findIndex((entry) => parseKeyValue(entry).key === key);
  const entry = `${key}=${value}`;
  if (index < 0) return [...env, entry];
  return env.map((e, i) => (i === index ? entry : e));
}
