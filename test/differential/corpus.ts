/**
 * The differential corpus: `corpus/<name>/` holds a Dockerfile, its context files and optionally
 * `expected.json` — assertions taken from the Dockerfile reference that any conforming builder's image
 * must satisfy (see README.md in this folder for the format).
 */
import { chmod, cp, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import type { CanonicalConfig } from './image-config.js';
import type { EntryType } from './tree-walk.js';

/** What one path must look like; only the fields given are checked. `content` is the file's text. */
export interface ExpectedEntry {
  readonly type?: EntryType;
  readonly mode?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly content?: string;
  readonly target?: string;
}

/** The reference assertions of one case. */
export interface Expected {
  /** Where in the Dockerfile reference the expectations come from. */
  readonly reference: string;
  /** Config fields that must equal these values (canonical form). */
  readonly config?: Partial<CanonicalConfig>;
  /** Config fields that must be absent (or empty). */
  readonly configAbsent?: readonly (keyof CanonicalConfig)[];
  readonly files?: Readonly<Record<string, ExpectedEntry>>;
  /** Paths that must not exist. */
  readonly absent?: readonly string[];
}

/** One corpus case. */
export interface CorpusCase {
  readonly name: string;
  /** The case directory (Dockerfile + context). */
  readonly dir: string;
  readonly expected?: Expected;
}

/** Files of a case directory that belong to the harness, not to the build context. */
export const HARNESS_FILES: readonly string[] = ['expected.json', 'buildah.json'];

/** The corpus folder in the source tree (tests run compiled from dist/, which has no copy of it). */
export function corpusDir(): string {
  return join(repoRoot(), 'test', 'differential', 'corpus');
}

/** All cases, sorted by name. */
export async function loadCorpus(dir = corpusDir()): Promise<CorpusCase[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const cases: CorpusCase[] = [];
  for (const name of names.sort()) {
    const caseDir = join(dir, name);
    const text = await readFile(join(caseDir, 'expected.json'), 'utf8').catch(() => undefined);
    cases.push({
      name,
      dir: caseDir,
      ...(text === undefined ? {} : { expected: JSON.parse(text) as Expected }),
    });
  }
  return cases;
}

/**
 * Sets modes as git knows them — directories 0755, files 0755 when executable, else 0644 — so the
 * expectations do not depend on the umask of the checkout.
 */
async function normaliseModes(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await chmod(path, 0o755);
      await normaliseModes(path);
    } else if (entry.isFile()) {
      await chmod(path, ((await lstat(path)).mode & 0o100) !== 0 ? 0o755 : 0o644);
    }
  }
}

/** Copies the case's build context (everything but the harness files) into `dest`, modes normalised. */
export async function copyContext(corpusCase: CorpusCase, dest: string): Promise<void> {
  await cp(corpusCase.dir, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !HARNESS_FILES.some((f) => source === join(corpusCase.dir, f)),
  });
  await chmod(dest, 0o755);
  await normaliseModes(dest);
}
