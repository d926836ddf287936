/**
 * The environment a base image brings to word expansion: BuildKit expands `$VAR` in a stage with the
 * base image's `Env` as if it were set by ENV (`ENV PATH=/opt/bin:$PATH` keeps the image's PATH). Pure.
 */
import type { ImageConfig } from '../oci/types.js';

/** `KEY=VALUE` entries as a record; an entry without `=` is a name with an empty value, as docker reads it. */
export function envRecord(entries: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    if (eq === 0) continue;
    if (eq < 0) out[entry] = '';
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/**
 * An `imageEnv` lookup for `checkDockerfile` over base image configs keyed `ref\u0000platform`; a ref
 * built for several platforms in one build uses the first config found (their Env agree in practice).
 */
export function imageEnvLookup(
  configs: ReadonlyMap<string, { readonly config: ImageConfig }>,
): (ref: string) => Readonly<Record<string, string>> | undefined {
  return (ref) => {
    for (const [key, image] of configs) {
      if (key.startsWith(`${ref}\u0000`)) return envRecord(image.config.config?.Env);
    }
    return undefined;
  };
}
