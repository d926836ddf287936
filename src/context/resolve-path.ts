/**
 * Resolving context paths with symlinks interpreted as if the context root were `/` (BuildKit's
 * `fs.RootPath` semantics): an absolute target restarts at the context root, `..` never climbs above
 * it, so no link can make kiln read outside the context. Paths hidden by .dockerignore do not exist.
 */
import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { BuildContext } from './build-context.js';

const MAX_SYMLINK_FOLLOWS = 255;

/** A context path after resolution. */
export interface ResolvedPath {
  /** Context-relative path of the object (`''` = the root). */
  readonly path: string;
  readonly stat: Stats;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Splits a `/`-separated path into components, dropping empty and `.` parts. */
function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Resolves `path` (relative to the context root; a leading `/` means the root) inside the context.
 * Symlinks in parent components are always followed within the context; the last component is
 * followed only when `followFinal`. Returns `undefined` when nothing (visible) exists there.
 */
export async function resolveInContext(
  context: BuildContext,
  path: string,
  followFinal: boolean,
): Promise<ResolvedPath | undefined> {
  const queue = components(path);
  const resolved: string[] = [];
  let follows = 0;
  let stat = await lstat(context.root);
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      resolved.pop();
      stat = await lstat(join(context.root, ...resolved));
      continue;
    }
    const candidate = [...resolved, part].join('/');
    const found = await lstatOrUndefined(join(context.root, candidate));
    if (found === undefined) return undefined;
    if (!context.isPresent(candidate, found.isDirectory())) return undefined;
    const last = queue.length === 0;
    if (found.isSymbolicLink() && (!last || followFinal)) {
      follows++;
      if (follows > MAX_SYMLINK_FOLLOWS) {
        throw new KilnError(ErrorCode.Context, `${JSON.stringify(path)}: too many levels of symbolic links`);
      }
      const target = await readlink(join(context.root, candidate));
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...components(target));
      stat = await lstat(join(context.root, ...resolved));
      continue;
    }
    if (!last && !found.isDirectory()) return undefined;
    resolved.push(part);
    stat = found;
  }
  return { path: resolved.join('/'), stat };
}
