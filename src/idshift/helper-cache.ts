/** Where a compiled kiln-idshift lives: one file per source text and architecture (pure). */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Bumped when the way the helper is compiled changes (flags), so old binaries are not reused. */
const BUILD_RECIPE = 'cc -O2 v1';

/** `kiln-idshift-<16 hex>`: the hash covers the C source, the architecture and the build recipe. */
export function helperFileName(sourceText: string | Uint8Array, arch: string): string {
  const hash = createHash('sha256').update(BUILD_RECIPE).update('\0').update(arch).update('\0');
  hash.update(sourceText);
  return `kiln-idshift-${hash.digest('hex').slice(0, 16)}`;
}

/** The cached helper's path under kiln's root directory (`<root>/helpers/kiln-idshift-…`). */
export function helperPath(kilnRoot: string, sourceText: string | Uint8Array, arch: string): string {
  return join(kilnRoot, 'helpers', helperFileName(sourceText, arch));
}
