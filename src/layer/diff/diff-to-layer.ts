/**
 * Directory changes → a deterministic layer tar, streamed, with its diffID computed in the same pass.
 *
 * - 'overlay-upper': `upper` is an overlayfs (or fuse-overlayfs) upper dir. Whiteouts are 0:0 character
 *   devices or files carrying `trusted.overlay.whiteout` / `user.overlay.whiteout`; opaque directories
 *   carry `trusted.overlay.opaque` / `user.overlay.opaque` = "y". Everything else in upper is a change.
 * - 'compare': `lower[0]` is the tree before, `upper` the tree after (the copy-snapshot fallback). A node
 *   changed when its type, mode, owner, xattrs, link target, device, size or mtime differ; when size
 *   and mtime are equal but the mtime has no sub-second part (coarse timestamps), contents are compared.
 *
 * Entries are emitted depth-first in byte order of names, parents before children; unchanged parent
 * directories of changed nodes are included. Hardlinks inside the layer are kept (by dev+ino).
 *
 * Tree walking and file reads use synchronous calls (one syscall or one read of at most 1 MiB at a
 * time): on many small files the async API spends most of its time in thread-pool round trips.
 */
import { type BigIntStats, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../../errors.js';
import { type BlobResult, digestingStream } from '../compression.js';
import type { OwnerReader, OwnershipStrategy } from '../ownership.js';
import type { TarEntryHeader } from '../tar/types.js';
import { TarWriter } from '../tar/writer.js';
import type { LayerWarning } from '../warnings.js';
import { readTreeXattrs, type XattrMap } from '../xattr-tools.js';
import { clampMtime, type HeaderContext, headerForNode, publicXattrs } from './node-header.js';
import { sameContent } from './same-content.js';

export interface DiffOptions {
  readonly upper: string;
  /** Lower directories; 'compare' needs exactly one (the tree before). */
  readonly lower?: readonly string[];
  readonly mode: 'overlay-upper' | 'compare';
  readonly ownership: OwnershipStrategy;
  /** SOURCE_DATE_EPOCH: mtimes newer than this are clamped to it (also used for whiteout mtimes). */
  readonly sourceDateEpoch?: number;
  /** Root-relative paths that never appear (with everything below them), e.g. executor-injected /etc/hosts. */
  readonly exclude?: readonly string[];
  readonly signal?: AbortSignal;
  readonly log?: (warning: LayerWarning) => void;
}

/** The layer tar stream (returned at once) and its diffID / size once fully read. */
export interface LayerDiff {
  readonly stream: Readable;
  readonly result: Promise<BlobResult>;
}

const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];
const WHITEOUT_XATTRS = ['trusted.overlay.whiteout', 'user.overlay.whiteout'];

function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface PendingDir {
  /** Undefined when the directory was already emitted as a change. */
  readonly header: TarEntryHeader | undefined;
  emitted: boolean;
}

class DiffWriter {
  readonly #writer: TarWriter;
  readonly #exclude: readonly string[];
  readonly #pending: PendingDir[] = [];
  readonly #links = new Map<string, string>();
  context!: HeaderContext;
  lowerOwners: OwnerReader | undefined;
  upperXattrs: ReadonlyMap<string, XattrMap> = new Map();
  lowerXattrs: ReadonlyMap<string, XattrMap> = new Map();

  constructor(out: PassThrough, options: DiffOptions) {
    this.#writer = new TarWriter(out);
    this.#exclude = (options.exclude ?? []).map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  }

  excluded(rel: string): boolean {
    return this.#exclude.some((ex) => rel === ex || rel.startsWith(`${ex}/`));
  }

  async #flushPending(): Promise<void> {
    for (const dir of this.#pending) {
      if (!dir.emitted && dir.header !== undefined) {
        dir.emitted = true;
        await this.#writer.add(dir.header);
      }
    }
  }

  async emitNode(rel: string, path: string, stat: BigIntStats): Promise<TarEntryHeader | undefined> {
    const header = await headerForNode(rel, path, stat, this.upperXattrs.get(path), this.context);
    if (header === undefined) return undefined;
    await this.#flushPending();
    if (header.type === 'file' && stat.nlink > 1n) {
      const key = `${stat.dev}:${stat.ino}`;
      const first = this.#links.get(key);
      if (first !== undefined) {
        await this.#writer.add({ ...header, type: 'hardlink', linkname: first, size: 0, xattrs: new Map() });
        return header;
      }
      this.#links.set(key, rel);
    }
    if (header.type === 'file') await this.#writer.addFile(header, path);
    else await this.#writer.add(header);
    return header;
  }

  async emitWhiteout(parentRel: string, name: string, mtime: number): Promise<void> {
    await this.#flushPending();
    const rel = parentRel === '' ? name : `${parentRel}/${name}`;
    await this.#writer.add({
      name: rel,
      type: 'file',
      mode: 0,
      uid: 0,
      gid: 0,
      size: 0,
      mtime,
      linkname: '',
      devmajor: 0,
      devminor: 0,
      xattrs: new Map(),
    });
  }

  async enterDir(rel: string, path: string, stat: BigIntStats, changed: boolean): Promise<void> {
    if (changed) {
      await this.emitNode(rel, path, stat);
      this.#pending.push({ header: undefined, emitted: true });
      return;
    }
    const header = await headerForNode(rel, path, stat, this.upperXattrs.get(path), this.context);
    this.#pending.push({ header, emitted: false });
  }

  leaveDir(): void {
    this.#pending.pop();
  }

  finish(): Promise<void> {
    return this.#writer.finish();
  }
}

function lstatOrUndefined(path: string): BigIntStats | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}

function lstatBig(path: string): BigIntStats {
  return lstatSync(path, { bigint: true });
}

function isYes(value: Buffer | undefined): boolean {
  return value !== undefined && value.toString('latin1') === 'y';
}

/** Walks an overlay upper dir. */
async function walkUpper(w: DiffWriter, options: DiffOptions, rel: string, dir: string): Promise<void> {
  const names = readdirSync(dir).sort(compareNames);
  let dirTime: number | undefined;
  const whiteoutTime = (): number => {
    dirTime ??= options.sourceDateEpoch ?? Number(lstatBig(dir).mtimeMs / 1000n);
    return dirTime;
  };
  // One lstat per name (kept for the second pass: nothing else writes to the tree during a diff).
  const items: { emitName: string; name: string; whiteout: boolean; stat: BigIntStats }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const stat = lstatBig(path);
    const xattrs = w.upperXattrs.get(path);
    const whiteout =
      (stat.isCharacterDevice() && stat.rdev === 0n) ||
      (stat.isFile() && stat.size === 0n && WHITEOUT_XATTRS.some((x) => xattrs?.has(x)));
    items.push({ emitName: whiteout ? `.wh.${name}` : name, name, whiteout, stat });
  }
  items.sort((a, b) => compareNames(a.emitName, b.emitName));
  for (const item of items) {
    options.signal?.throwIfAborted();
    const childRel = rel === '' ? item.name : `${rel}/${item.name}`;
    if (w.excluded(childRel)) continue;
    if (item.whiteout) {
      await w.emitWhiteout(rel, item.emitName, whiteoutTime());
      continue;
    }
    const path = join(dir, item.name);
    const stat = item.stat;
    if (stat.isDirectory()) {
      await w.enterDir(childRel, path, stat, true);
      const xattrs = w.upperXattrs.get(path);
      if (OPAQUE_XATTRS.some((x) => isYes(xattrs?.get(x)))) {
        await w.emitWhiteout(
          childRel,
          '.wh..wh..opq',
          clampMtime(Number(stat.mtimeMs / 1000n), options.sourceDateEpoch),
        );
      }
      await walkUpper(w, options, childRel, path);
      w.leaveDir();
    } else {
      await w.emitNode(childRel, path, stat);
    }
  }
}

function sameXattrs(
  a: XattrMap | undefined,
  b: XattrMap | undefined,
  privateNames: readonly string[],
): boolean {
  const pa = publicXattrs(a, privateNames);
  const pb = publicXattrs(b, privateNames);
  if (pa.size !== pb.size) return false;
  for (const [k, v] of pa) if (!pb.get(k)?.equals(v)) return false;
  return true;
}

async function changedNode(
  w: DiffWriter,
  upperPath: string,
  u: BigIntStats,
  lowerPath: string,
  l: BigIntStats | undefined,
): Promise<boolean> {
  if (l === undefined) return true;
  if ((u.mode & 0o170000n) !== (l.mode & 0o170000n) || (u.mode & 0o7777n) !== (l.mode & 0o7777n)) return true;
  const uo = w.context.owners.ownerOf(
    upperPath,
    { uid: Number(u.uid), gid: Number(u.gid) },
    w.upperXattrs.get(upperPath),
  );
  const lo = (w.lowerOwners ?? w.context.owners).ownerOf(
    lowerPath,
    { uid: Number(l.uid), gid: Number(l.gid) },
    w.lowerXattrs.get(lowerPath),
  );
  if (uo.uid !== lo.uid || uo.gid !== lo.gid) return true;
  if (!sameXattrs(w.upperXattrs.get(upperPath), w.lowerXattrs.get(lowerPath), w.context.privateXattrs))
    return true;
  if (u.isDirectory()) return u.mtimeNs !== l.mtimeNs;
  if (u.rdev !== l.rdev || u.size !== l.size || u.mtimeNs !== l.mtimeNs) return true;
  if (u.isSymbolicLink()) {
    return readlinkSync(upperPath) !== readlinkSync(lowerPath);
  }
  if (u.isFile() && u.mtimeNs % 1_000_000_000n === 0n)
    return !(await sameContent(upperPath, lowerPath, Number(u.size)));
  return false;
}

/** Walks upper against the tree before. */
async function walkCompare(
  w: DiffWriter,
  options: DiffOptions,
  rel: string,
  upperDir: string,
  lowerDir: string | undefined,
): Promise<void> {
  const upperNames = readdirSync(upperDir);
  const lowerNames = lowerDir === undefined ? [] : readdirSync(lowerDir);
  const present = new Set(upperNames);
  const items = [
    ...upperNames.map((name) => ({ emitName: name, name, whiteout: false })),
    ...lowerNames
      .filter((n) => !present.has(n))
      .map((name) => ({ emitName: `.wh.${name}`, name, whiteout: true })),
  ].sort((a, b) => compareNames(a.emitName, b.emitName));
  let dirTime: number | undefined;
  for (const item of items) {
    options.signal?.throwIfAborted();
    const childRel = rel === '' ? item.name : `${rel}/${item.name}`;
    if (w.excluded(childRel)) continue;
    if (item.whiteout) {
      dirTime ??= options.sourceDateEpoch ?? Number(lstatBig(upperDir).mtimeMs / 1000n);
      await w.emitWhiteout(rel, item.emitName, dirTime);
      continue;
    }
    const upperPath = join(upperDir, item.name);
    const u = lstatBig(upperPath);
    const lowerPath = lowerDir === undefined ? '' : join(lowerDir, item.name);
    const l = lowerDir === undefined ? undefined : lstatOrUndefined(lowerPath);
    const changed = await changedNode(w, upperPath, u, lowerPath, l);
    if (u.isDirectory()) {
      await w.enterDir(childRel, upperPath, u, changed);
      await walkCompare(w, options, childRel, upperPath, l?.isDirectory() ? lowerPath : undefined);
      w.leaveDir();
    } else if (changed) {
      await w.emitNode(childRel, upperPath, u);
    }
  }
}

async function produce(out: PassThrough, options: DiffOptions): Promise<void> {
  const w = new DiffWriter(out, options);
  const owners = await options.ownership.reader(options.upper);
  w.context = {
    owners,
    privateXattrs: options.ownership.privateXattrs,
    sourceDateEpoch: options.sourceDateEpoch,
  };
  const upperX = await readTreeXattrs(options.upper, options.signal);
  w.upperXattrs = upperX.byPath;
  for (const problem of upperX.problems)
    options.log?.({ kind: 'unreadable', path: '', message: problem.message });
  switch (options.mode) {
    case 'overlay-upper':
      await walkUpper(w, options, '', options.upper);
      break;
    case 'compare': {
      const lower = options.lower ?? [];
      if (lower.length !== 1) {
        throw new KilnError(
          ErrorCode.Usage,
          `compare mode needs exactly one lower directory, got ${lower.length}`,
        );
      }
      const lowerDir = lower[0]!;
      w.lowerOwners = await options.ownership.reader(lowerDir);
      w.lowerXattrs = (await readTreeXattrs(lowerDir, options.signal)).byPath;
      await walkCompare(w, options, '', options.upper, lowerDir);
      break;
    }
    default:
      throw new KilnError(ErrorCode.Usage, `unknown diff mode ${JSON.stringify(options.mode)}`);
  }
  await w.finish();
}

/**
 * Starts streaming the layer tar for the changes in `options.upper`. The stream is returned at once;
 * failures destroy it (and reject `result`). `result` settles after the stream was read to its end.
 */
export function diffToLayer(options: DiffOptions): LayerDiff {
  // Up to 4 MiB buffered: reading files runs ahead while the consumer compresses or writes.
  const out = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  const digested = digestingStream(out);
  produce(out, options).catch((error: unknown) => {
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return digested;
}
