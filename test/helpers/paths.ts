import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor of this file holding package.json (works from src and dist). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test helpers');
    dir = parent;
  }
  return dir;
}

/** `../shared/conformance` beside the repository (KILN_CONFORMANCE_DIR overrides). */
export function conformanceDir(): string {
  return process.env.KILN_CONFORMANCE_DIR ?? join(repoRoot(), '..', 'shared', 'conformance');
}

/** The compiled CLI entry point. */
export function cliPath(): string {
  return join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
}
