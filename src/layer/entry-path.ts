/**
 * Member names made safe: cleaned to root-relative segments, and parents resolved inside the root
 * with symlinks interpreted as if the root were `/` (containerd's RootPath semantics), lstat-ing every
 * component (once per apply, see RootedResolver's cache invariant) so that nothing the archive created
 * can lead outside.
 */
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
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

/**
 * Resolves directories under one root, caching every resolved prefix (`a`, `a/b`, ...) so that an entry
 * whose parent was seen before costs no syscall, and a new sibling directory costs one lstat.
 *
 * Cache invariant (why entries stay valid without re-checking): within one apply nothing but the
 * applier writes under the root, and a cached value is a chain of directories and symlinks that existed
 * when it was resolved. Creating a node cannot change such a chain (a name that did not exist was not
 * part of any chain, and an existing name is only replaced after it is removed), so only removals can:
 * the applier calls `invalidate()` after every removal or replacement, which forgets everything.
 * Resolution uses synchronous syscalls on purpose: an lstat costs about a microsecond, a thread-pool
 * round trip of the async API tens of microseconds, and the event loop is blocked for one lstat at most.
 */
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

  /** Async form of {@link resolveDirSync}, kept for callers that prefer a promise. */
  async resolveDir(
    entryName: string,
    segments: readonly string[],
    create: boolean,
    onCreate?: (path: string) => void,
  ): Promise<string | undefined> {
    return this.resolveDirSync(entryName, segments, create, onCreate);
  }

  /**
   * The physical path of directory `segments` inside the root. Missing directories are created (mode
   * 0755) when `create` is set, reported via `onCreate`; otherwise `undefined` is returned.
   */
  resolveDirSync(
    entryName: string,
    segments: readonly string[],
    create: boolean,
    onCreate?: (path: string) => void,
  ): string | undefined {
    let key = segments.join('/');
    const whole = this.#cache.get(key);
    if (whole !== undefined) return whole;
    let start = 0;
    let current = this.root;
    for (let n = segments.length - 1; n > 0; n--) {
      key = key.slice(0, key.length - segments[n]!.length - 1);
      const hit = this.#cache.get(key);
      if (hit !== undefined) {
        start = n;
        current = hit;
        break;
      }
    }
    let prefix = start === 0 ? '' : key;
    const budget = { follows: 0 };
    for (let i = start; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = this.#walk(entryName, current, [segment], { create, budget, onCreate });
      if (next === undefined) return undefined;
      current = next;
      prefix = prefix === '' ? segment : `${prefix}/${segment}`;
      this.#cache.set(prefix, current);
    }
    return current;
  }

  /** Walks `parts` from the physical directory `from`, following symlinks as if the root were `/`. */
  #walk(entryName: string, from: string, parts: string[], walk: WalkState): string | undefined {
    const queue = parts;
    let current = from;
    while (queue.length > 0) {
      const segment = queue.shift()!;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (current !== this.root) current = join(current, '..');
        continue;
      }
      const next = join(current, segment);
      const stat = lstatSync(next, { throwIfNoEntry: false });
      if (stat === undefined) {
        if (!walk.create) return undefined;
        mkdirSync(next, { mode: 0o755 });
        walk.onCreate?.(next);
        current = next;
      } else if (stat.isSymbolicLink()) {
        walk.budget.follows++;
        if (walk.budget.follows > MAX_SYMLINK_FOLLOWS)
          throw unsafe(entryName, 'too many levels of symbolic links (loop?)');
        const target = readlinkSync(next);
        if (target.startsWith('/')) current = this.root;
        queue.unshift(...target.split('/'));
      } else if (stat.isDirectory()) {
        current = next;
      } else {
        throw unsafe(entryName, `parent ${JSON.stringify(segment)} is not a directory`);
      }
    }
    return current;
  }
}

interface WalkState {
  readonly create: boolean;
  readonly budget: { follows: number };
  readonly onCreate: ((path: string) => void) | undefined;
}
