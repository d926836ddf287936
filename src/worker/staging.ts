/**
 * The staging tree of a file op: nodes written at their in-image paths, parents made on demand with
 * the base's metadata (or new, 0755, owned by the --chown user), then owners, modes and times applied
 * in one pass. The base is only looked at, through its lower directories.
 */
import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readFile,
  rm,
  rmdir,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { assertNever } from '../errors.js';
import { writeXattrs } from '../layer/xattr-tools.js';
import type { CopyNode } from './copy-sources.js';
import { lookupInLowers, resolveInLowers } from './trees.js';
import type { WorkerEnv } from './types.js';

/** A numeric owner. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** One node written into staging, finished (owner, mode, time) after all are written. */
interface Written {
  readonly host: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  readonly owner: Owner;
  readonly mode: number;
  readonly mtimeMs: number;
  /** A directory that exists in the base and was only made here as a parent (no change by itself). */
  readonly fromBase?: boolean;
}

/** A staging directory being filled by one file op. */
export class Staging {
  readonly root: string;
  readonly #env: WorkerEnv;
  readonly #lowers: readonly string[];
  readonly #written = new Map<string, Written>();
  readonly #now: number;

  constructor(env: WorkerEnv, root: string, lowers: readonly string[], now: number) {
    this.#env = env;
    this.root = root;
    this.#lowers = lowers;
    this.#now = now;
  }

  host(path: string): string {
    return join(this.root, path.replace(/^\/+/, ''));
  }

  /** `path` with the base's symlinks followed (inside the image). */
  async resolve(path: string): Promise<string> {
    return resolveInLowers(this.#lowers, path);
  }

  async baseStat(path: string) {
    return lookupInLowers(this.#lowers, path);
  }

  async readBaseFile(path: string): Promise<string | undefined> {
    for (const lower of this.#lowers) {
      const st = await lstat(join(lower, path)).catch(() => undefined);
      if (st === undefined) continue;
      if (!st.isFile()) return undefined;
      return readFile(join(lower, path), 'utf8');
    }
    return undefined;
  }

  /** Makes every missing ancestor of `path` (absolute, in-image). */
  async ensureParents(path: string, owner: Owner, createdMs: number): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    let current = '';
    for (const part of parts.slice(0, -1)) {
      current = `${current}/${part}`;
      await this.ensureDir(current, owner, createdMs);
    }
  }

  async ensureDir(path: string, owner: Owner, createdMs: number): Promise<void> {
    if (this.#written.has(path)) return;
    const host = this.host(path);
    await mkdir(host, { mode: 0o755, recursive: true });
    const base = await this.baseStat(path);
    if (base?.isDirectory()) {
      this.#written.set(path, {
        host,
        kind: 'directory',
        owner: { uid: base.uid, gid: base.gid },
        mode: base.mode & 0o7777,
        mtimeMs: base.mtimeMs,
        fromBase: true,
      });
    } else {
      this.#written.set(path, { host, kind: 'directory', owner, mode: 0o755, mtimeMs: createdMs });
    }
  }

  /** Writes one node at `path`; a later node at the same path replaces an earlier one. */
  async put(path: string, node: CopyNode, owner: Owner, mode: number): Promise<void> {
    const host = this.host(path);
    const existing = this.#written.get(path);
    if (existing !== undefined && !(existing.kind === 'directory' && node.type === 'directory')) {
      await rm(host, { recursive: true, force: true });
    }
    switch (node.type) {
      case 'directory':
        if (existing?.kind !== 'directory') await mkdir(host, { mode: 0o755 });
        break;
      case 'file':
        if (node.sourcePath !== undefined) await copyFile(node.sourcePath, host, constants.COPYFILE_FICLONE);
        else await writeFile(host, node.data ?? '');
        await chmod(host, 0o644);
        break;
      case 'symlink':
        await symlink(node.linkTarget, host);
        break;
      default:
        assertNever(node.type, 'node type');
    }
    this.#written.set(path, { host, kind: node.type, owner, mode, mtimeMs: node.mtimeMs });
  }

  get now(): number {
    return this.#now;
  }

  /** Owners, then modes (chown clears setuid), then times (deepest first, so parents keep theirs). */
  /** Drops base directories nothing was written into (WORKDIR on an existing directory changes nothing). */
  async #dropUnchanged(): Promise<void> {
    const deepestFirst = [...this.#written.entries()].sort(([a], [b]) => b.length - a.length);
    for (const [path, node] of deepestFirst) {
      if (node.fromBase !== true || (await readdir(node.host)).length > 0) continue;
      await rmdir(node.host);
      this.#written.delete(path);
    }
  }

  async finish(): Promise<void> {
    await this.#dropUnchanged();
    const nodes = [...this.#written.values()];
    const writer = this.#env.ownership.begin(this.root);
    for (const node of nodes) {
      await writer.setOwner({
        path: node.host,
        uid: node.owner.uid,
        gid: node.owner.gid,
        kind: node.kind === 'symlink' ? 'other' : node.kind,
        existed: false,
      });
    }
    await writeXattrs(writer.pendingXattrs, this.#env.signal);
    await writer.finish();
    for (const node of nodes) if (node.kind !== 'symlink') await chmod(node.host, node.mode);
    const deepestFirst = nodes.sort((a, b) => b.host.length - a.host.length);
    for (const node of deepestFirst) {
      const time = node.mtimeMs / 1000;
      if (node.kind === 'symlink') await lutimes(node.host, time, time);
      else await utimes(node.host, time, time);
    }
  }
}
