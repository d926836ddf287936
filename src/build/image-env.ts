/**
 * The environment a base image brings to word expansion: BuildKit expands `$VAR` in a stage with the
 * base image's `Env` as if it were set by ENV (`ENV PATH=/opt/bin:$PATH` keeps the image's PATH). Pure.
 */
import { envFromList } from '../dockerfile/shell/index.js';
import type { ImageConfig } from '../oci/types.js';

/**
 * An `imageEnv` lookup for `checkDockerfile` over base image configs keyed `ref\u0000platform`; a ref
 * built for several platforms in one build uses the first config found (their Env agree in practice).
 */
export function imageEnvLookup(
  configs: ReadonlyMap<string, { readonly config: ImageConfig }>,
): (ref: string) => Readonly<Record<string, string>> | undefined {
  return (ref) => {
    for (const [key, image] of configs) {
      if (key.startsWith(`${ref}\u0000`))
        return Object.fromEntries(envFromList(image.config.config?.Env ?? []));
    }
    return undefined;
  };
}
