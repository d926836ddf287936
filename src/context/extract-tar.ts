/**
 * Extracting a context tar into a fresh private directory, refusing anything hostile: absolute names,
 * `..` components, entries below a symlink (or below a non-directory), hard links to anything but a
 * regular file extracted earlier, device nodes and FIFOs, and sizes or counts beyond the limits
 * (enforced by the layer engine's `readTar`). Modes and mtimes are preserved; owners are not (COPY
 * resets them to 0:0, and an unprivileged extraction could not keep them).
 */
import { chmod, link, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { TarEntryHeader, TarLimits } from '../layer/index.js';

type Created = 'directory' | 'file' | 'symlink';

function unsafe(name: string, message: string, cause?: unknown): KilnError {
  return new KilnError(
    ErrorCode.UnsafeArchive,
    `context archive entry ${JSON.stringify(name)}: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

/** Cleans a member name to segments; refuses absolute names and any `..` component. */
export function contextEntrySegments(name: string): string[] {
  if (name.startsWith('/')) throw unsafe(name, 'absolute path');
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw unsafe(name, 'path contains ".."');
    if (Buffer.byteLength(segment) > 255) throw unsafe(name, 'a path component is longer than 255 bytes');
    segments.push(segment);
  }
  return segments;
}

interface DeferredDir {
  readonly path: string;
  readonly mode: number;
  readonly mtime: number;
}

class Extractor {
  readonly #root: string;
  readonly #created = new Map<string, Created>();
  readonly #dirs = new Map<string, DeferredDir>();

  constructor(root: string) {
    this.#root = root;
  }

  async #ensureParents(name: string, segments: readonly string[]): Promise<void> {
    for (let i = 1; i < segments.length; i++) {
      const key = segments.slice(0, i).join('/');
      const existing = this.#created.get(key);
      if (existing === 'directory') continue;
      if (existing === 'symlink') throw unsafe(name, `parent ${JSON.stringify(key)} is a symbolic link`);
      if (existing === 'file') throw unsafe(name, `parent ${JSON.stringify(key)} is not a directory`);
      await mkdir(join(this.#root, key), { mode: 0o755 });
      this.#created.set(key, 'directory');
    }
  }

  async #clearSlot(name: string, key: string, next: Created): Promise<boolean> {
    const existing = this.#created.get(key);
    if (existing === undefined) return false;
    if (existing === 'directory') {
      if (next === 'directory') return true;
      throw unsafe(name, 'replaces a directory with a non-directory');
    }
    await rm(join(this.#root, key));
    this.#created.delete(key);
    return false;
  }

  async add(header: TarEntryHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const segments = contextEntrySegments(header.name);
    if (segments.length === 0) {
      if (header.type !== 'directory') throw unsafe(header.name, 'names the context root');
      return;
    }
    const key = segments.join('/');
    const target = join(this.#root, key);
    await this.#ensureParents(header.name, segments);
    switch (header.type) {
      case 'directory': {
        const exists = await this.#clearSlot(header.name, key, 'directory');
        if (!exists) await mkdir(target, { mode: 0o700 });
        this.#created.set(key, 'directory');
        this.#dirs.set(key, { path: target, mode: header.mode, mtime: header.mtime });
        return;
      }
      case 'file': {
        await this.#clearSlot(header.name, key, 'file');
        const handle = await open(target, 'wx', 0o600);
        try {
          for await (const chunk of body) await handle.write(chunk);
          await handle.chmod(header.mode);
        } finally {
          await handle.close();
        }
        await utimes(target, header.mtime, header.mtime);
        this.#created.set(key, 'file');
        return;
      }
      case 'symlink': {
        await this.#clearSlot(header.name, key, 'symlink');
        await symlink(header.linkname, target);
        await lutimes(target, header.mtime, header.mtime);
        this.#created.set(key, 'symlink');
        return;
      }
      case 'hardlink': {
        const linkKey = contextEntrySegments(header.linkname).join('/');
        if (this.#created.get(linkKey) !== 'file') {
          throw unsafe(
            header.name,
            `hard link target ${JSON.stringify(header.linkname)} is not a file in the archive`,
          );
        }
        if (linkKey === key) return;
        await this.#clearSlot(header.name, key, 'file');
        await link(join(this.#root, linkKey), target);
        this.#created.set(key, 'file');
        return;
      }
      case 'char-device':
      case 'block-device':
      case 'fifo':
        throw unsafe(header.name, `${header.type} entries are not allowed in a build context`);
    }
  }

  /** Applies directory modes and mtimes last, deepest first (so creating children was possible). */
  async finish(): Promise<void> {
    const dirs = [...this.#dirs.values()].sort((a, b) => b.path.length - a.path.length);
    for (const dir of dirs) {
      await chmod(dir.path, dir.mode);
      await utimes(dir.path, dir.mtime, dir.mtime);
    }
  }
}

function wrapFsError(error: unknown): unknown {
  if (error instanceof KilnError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENAMETOOLONG' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new KilnError(ErrorCode.UnsafeArchive, `context archive: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * Extracts decompressed tar bytes into `root` (an empty directory the caller created privately).
 * Throws KilnError E_UNSAFE_ARCHIVE / E_TOO_LARGE for hostile input.
 */
export async function extractContextTar(
  source: AsyncIterable<Buffer>,
  root: string,
  limits: TarLimits,
  signal?: AbortSignal,
): Promise<void> {
  const extractor = new Extractor(root);
  const { readTar } = await import('../layer/index.js');
  try {
    for await (const entry of readTar(source, limits)) {
      signal?.throwIfAborted();
      await extractor.add(entry.header, entry.body);
    }
    await extractor.finish();
  } catch (error) {
    throw wrapFsError(error);
  }
}
