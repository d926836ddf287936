/**
 * Member names made safe: cleaned to root-relative segments, and parents resolved inside the root
 * with symlinks interpreted as if the root were `/` (containerd's RootPath semantics), lstat-ing every
 * component so that nothing the archive created can lead outside.
 */
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

const MAX_SYMLINK_FOLLOWS = 40;

function unsafe(name: string, message: string): KilnError {
  return new KilnError(ErrorCode.UnsafeArchive, `${JSON.stringify(name)}: ${message}`);
}

/**
 * Cleans a member name to path segments. A leading `/` is dropped (absolute names are neutralised to
 * root-relative, as containerd does); `.` and empty segments vanish; `..` is resolved lexically and
 * refused when it would climb above the root (moby refuses these as breakouts). `[]` is the root.
 */
export function cleanEntryName(name: string): string[] {
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw unsafe(name, 'path climbs out of the root with ".."');
      segments.pop();
      continue;
    }
    if (Buffer.byteLength(segment) > 255) throw unsafe(name, 'a path component is longer than 255 bytes');
    segments.push(segment);
  }
  return segments;
}

/** Resolves directories under one root, caching results until something is removed or replaced. */
export class RootedResolver {
  readonly root: string;
  readonly #cache = new Map<string, string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Forget cached resolutions (call after removing or replacing anything). */
  invalidate(): void {
    this.#cache.clear();
  }

  /**
   * The physical path of directory `segments` inside the root. Missing directories are created (mode
   * 0755) when `create` is set, reported via `onCreate`; otherwise `undefined` is returned.
   */
  async resolveDir(
    entryName: string,
    segments: readonly string[],
    create: boolean,
    onCreate?: (path: string) => void,
  ): Promise<string | undefined> {
    const key = segments.join('/');
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const queue = [...segments];
    let current = this.root;
    let follows = 0;
    while (queue.length > 0) {
      const segment = queue.shift()!;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (current !== this.root) current = join(current, '..');
        continue;
      }
      const next = join(current, segment);
      const stat = await lstat(next).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (stat === undefined) {
        if (!create) return undefined;
        await mkdir(next, { mode: 0o755 });
        onCreate?.(next);
        current = next;
      } else if (stat.isSymbolicLink()) {
        follows++;
        if (follows > MAX_SYMLINK_FOLLOWS)
          throw unsafe(entryName, 'too many levels of symbolic links (loop?)');
        const target = await readlink(next);
        if (target.startsWith('/')) current = this.root;
        queue.unshift(...target.split('/'));
      } else if (stat.isDirectory()) {
        current = next;
      } else {
        throw unsafe(entryName, `parent ${JSON.stringify(segment)} is not a directory`);
      }
    }
    this.#cache.set(key, current);
    return current;
  }
}
