/** Locating the helper's C source (shipped as source; compiled on the build host). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, KilnError } from '../errors.js';

const SOURCE = join('native', 'kiln-idshift.c');

/** The path of kiln-idshift.c, from src/idshift or from the compiled dist/src/idshift. */
export function idshiftSourcePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, SOURCE), join(here, '..', '..', '..', 'src', 'idshift', SOURCE)];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new KilnError(ErrorCode.IdShift, 'the kiln-idshift source is not installed', {
      hint: `expected one of ${candidates.join(', ')}`,
    });
  }
  return found;
}
