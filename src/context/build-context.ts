/**
 * An opened build context: a directory on disk plus the .dockerignore rules that decide which of its
 * paths exist for COPY/ADD. Paths ignored by .dockerignore behave exactly as if BuildKit had not
 * transferred them: they are absent for source resolution, symlink resolution and listing.
 */
import { createIgnoreMatcher, type IgnoreMatcher } from '../dockerfile/ignore/index.js';
import { decide } from './path-filter.js';
import { removeTree } from './remove-tree.js';
import type { ContextDockerfile, ContextIgnore, ContextLimits } from './types.js';

/** How the context was delivered. */
export type BuildContextKind = 'dir' | 'tar' | 'empty';

export interface BuildContextInit {
  readonly kind: BuildContextKind;
  readonly root: string;
  readonly dockerfile: ContextDockerfile;
  readonly ignore: ContextIgnore;
  readonly limits: ContextLimits;
  /** A private temporary directory owned by this context (removed by `close`). */
  readonly ownedDir?: string;
}

export class BuildContext {
  readonly kind: BuildContextKind;
  /** Absolute, symlink-free path of the context root on disk. */
  readonly root: string;
  /** The Dockerfile for the frontend (available even when .dockerignore matches it). */
  readonly dockerfile: ContextDockerfile;
  readonly ignore: ContextIgnore;
  readonly matcher: IgnoreMatcher;
  readonly limits: ContextLimits;
  readonly #ownedDir: string | undefined;
  readonly #dirPresence = new Map<string, boolean>();

  constructor(init: BuildContextInit) {
    this.kind = init.kind;
    this.root = init.root;
    this.dockerfile = init.dockerfile;
    this.ignore = init.ignore;
    this.matcher = createIgnoreMatcher(init.ignore.patterns);
    this.limits = init.limits;
    this.#ownedDir = init.ownedDir;
  }

  /**
   * Whether `path` (context-relative, cleaned, `''` = root) survives .dockerignore, given whether it
   * is a directory. Ancestors count: a path under a pruned directory is absent.
   */
  isPresent(path: string, isDirectory: boolean): boolean {
    if (path === '') return true;
    if (isDirectory) {
      const cached = this.#dirPresence.get(path);
      if (cached !== undefined) return cached;
    }
    const slash = path.lastIndexOf('/');
    const parent = slash === -1 ? '' : path.slice(0, slash);
    let present = this.isPresent(parent, true);
    if (present) present = decide(this.matcher, path, isDirectory).kind === 'include';
    if (isDirectory) this.#dirPresence.set(path, present);
    return present;
  }

  /** Removes the private extraction directory of a tar or empty context (idempotent). */
  async close(): Promise<void> {
    if (this.#ownedDir !== undefined) await removeTree(this.#ownedDir);
  }
}
