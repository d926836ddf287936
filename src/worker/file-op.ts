/**
 * COPY / ADD / WORKDIR: the op's files are laid out in a fresh staging directory at their destination
 * (parents that exist in the base keep the base's metadata, new ones are 0755 owned by the --chown
 * user), owners and modes applied, and the directory is tarred as the layer. The staging directory
 * has no whiteouts, so it is kept as the layer's overlay-form snapshot. The base is only looked at
 * (never mounted) to decide destination shapes and parent metadata.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { assertNever, ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import { resolveUser } from '../executor/index.js';
import { applyLayer } from '../layer/index.js';
import { readTreeXattrs } from '../layer/xattr-tools.js';
import type { ContextSelection, CopyAction, FileOp, MkdirAction, OpId } from '../plan/index.js';
import { commitLayer, keepDir, layerSnapshotDir } from './commit-layer.js';
import { type CopyListing, listContextSource, listTreeSource, type OwnerLookup } from './copy-sources.js';
import { parseChmod } from './modes.js';
import { type Owner, Staging } from './staging.js';
import { lowersOf, openView } from './trees.js';
import { EMPTY_FS, type FsState, type LayerResult, type WorkerEnv } from './types.js';

export interface FileOpInput {
  readonly op: FileOp;
  /** Filesystem of `op.base` (undefined: scratch, for COPY --link). */
  readonly base: FsState | undefined;
  fsOf(id: OpId): FsState;
  selectionOf(id: string): ContextSelection;
  readonly location?: SourceLocation;
}

export interface FileOpResult {
  readonly layer: LayerResult;
  readonly fs: FsState;
}

function createdMs(action: { readonly createdTime?: string }, now: number): number {
  return action.createdTime === undefined ? now : Date.parse(action.createdTime);
}

function chownIds(
  spec: string | undefined,
  passwd: string | undefined,
  group: string | undefined,
): Owner | undefined {
  if (spec === undefined || spec === '') return undefined;
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  try {
    const user = resolveUser({ user: userPart, passwd, group });
    if (groupPart === undefined) return { uid: user.uid, gid: /^\d+$/.test(userPart) ? user.uid : user.gid };
    const withGroup = resolveUser({ user: `${userPart}:${groupPart}`, passwd, group });
    return { uid: withGroup.uid, gid: withGroup.gid };
  } catch (error) {
    throw new KilnError(
      ErrorCode.DockerfileInstruction,
      `invalid --chown=${spec}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function listAction(
  env: WorkerEnv,
  input: FileOpInput,
  action: CopyAction,
  release: (() => Promise<void>)[],
): Promise<CopyListing> {
  const from = action.from;
  switch (from.kind) {
    case 'context':
      return listContextSource(env, input.selectionOf(from.selection));
    case 'op': {
      const view = await openView(env, input.fsOf(from.op));
      release.push(() => view.release());
      return listTreeSource(view.path, action, input.location, await ownerLookup(env, view.path));
    }
    case 'inline':
      return {
        nodes: [
          {
            target: posix.basename(from.file.path),
            type: 'file',
            mode: from.file.mode,
            uid: 0,
            gid: 0,
            mtimeMs: action.createdTime === undefined ? Date.now() : Date.parse(action.createdTime),
            linkTarget: '',
            data: from.file.data,
          },
        ],
        sources: 1,
        wildcard: false,
        directorySource: false,
        fromContext: true,
      };
    default:
      return assertNever(from, 'copy source');
  }
}

/** Owners of a tree to copy from: on disk, or (single-id rootless) as recorded by the ownership strategy. */
async function ownerLookup(env: WorkerEnv, root: string): Promise<OwnerLookup | undefined> {
  if (env.ownership.kind === 'native') return undefined;
  const xattrs = await readTreeXattrs(root, env.signal);
  const reader = await env.ownership.reader(root);
  return (host, onDisk) => reader.ownerOf(host, onDisk, xattrs.byPath.get(host));
}

async function isArchive(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    const b = head.subarray(0, bytesRead);
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
    if (b.length >= 4 && b.readUInt32BE(0) === 0x28b52ffd) return true;
    if (b.length >= 3 && b.toString('latin1', 0, 3) === 'BZh') return true;
    if (b.length >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
      return true;
    return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await handle.close();
  }
}

async function copyAction(
  env: WorkerEnv,
  input: FileOpInput,
  staging: Staging,
  action: CopyAction,
  ids: Owner | undefined,
): Promise<void> {
  const release: (() => Promise<void>)[] = [];
  try {
    const listing = await listAction(env, input, action, release);
    const chmodMode = parseChmod(action.chmod, input.location);
    const created = createdMs(action, staging.now);
    const dest = action.dest;
    // Symlinks of the base are followed (BuildKit resolves the destination inside the rootfs).
    const resolved = await staging.resolve(dest);
    const baseDest = await staging.baseStat(resolved);
    const destIsDir =
      dest.endsWith('/') ||
      listing.sources > 1 ||
      listing.wildcard ||
      listing.directorySource ||
      baseDest?.isDirectory() === true;
    const destPath = resolved;
    const dirOwner = ids ?? { uid: 0, gid: 0 };
    if (destIsDir && destPath !== '/') {
      await staging.ensureParents(destPath, dirOwner, created);
      await staging.ensureDir(destPath, dirOwner, created);
    } else await staging.ensureParents(destPath, dirOwner, created);
    for (const node of listing.nodes) {
      const path = destIsDir ? posix.join(destPath, node.target) : destPath;
      const owner = ids ?? (listing.fromContext ? { uid: 0, gid: 0 } : { uid: node.uid, gid: node.gid });
      if (
        action.unpack &&
        node.type === 'file' &&
        node.sourcePath !== undefined &&
        (await isArchive(node.sourcePath))
      ) {
        const into = destIsDir ? destPath : posix.dirname(destPath);
        await staging.ensureDir(into === '' ? '/' : into, dirOwner, created).catch(() => undefined);
        await applyLayer(createReadStream(node.sourcePath), {
          root: staging.host(into),
          ownership: env.ownership,
        });
        continue;
      }
      if (path === '/' || path === '') continue;
      await staging.ensureParents(path, dirOwner, created);
      const mode = chmodMode?.(node) ?? node.mode;
      await staging.put(path, node, owner, mode);
    }
  } finally {
    for (const r of release) await r().catch(() => undefined);
  }
}

async function mkdirAction(
  staging: Staging,
  action: MkdirAction,
  passwd: string | undefined,
  group: string | undefined,
): Promise<void> {
  let owner: Owner = { uid: 0, gid: 0 };
  if (action.user !== undefined && action.user !== '') {
    try {
      const user = resolveUser({ user: action.user, passwd, group });
      owner = { uid: user.uid, gid: user.gid };
    } catch (error) {
      throw new KilnError(ErrorCode.DockerfileInstruction, (error as Error).message, { cause: error });
    }
  }
  const created = createdMs(action, staging.now);
  const path = await staging.resolve(action.path);
  if (path === '/') return;
  await staging.ensureParents(path, owner, created);
  await staging.ensureDir(path, owner, created);
}

/** Runs a file op; returns its layer and the filesystem after it. */
export async function runFileOp(env: WorkerEnv, input: FileOpInput): Promise<FileOpResult> {
  const base = input.base ?? EMPTY_FS;
  const lowers = await lowersOf(env, base);
  const root = join(env.dirs.work, `copy-${randomUUID()}`);
  await mkdir(root, { recursive: true, mode: 0o755 });
  try {
    const staging = new Staging(env, root, lowers, Date.now());
    const passwd = await staging.readBaseFile('etc/passwd');
    const group = await staging.readBaseFile('etc/group');
    for (const action of input.op.actions) {
      switch (action.kind) {
        case 'copy':
          await copyAction(env, input, staging, action, chownIds(action.chown, passwd, group));
          break;
        case 'mkdir':
          await mkdirAction(staging, action, passwd, group);
          break;
        default:
          assertNever(action, 'file action');
      }
    }
    await staging.finish();
    const layer = await commitLayer(env, { upper: root });
    if (layer.emptyLayer) return { layer, fs: base };
    const target = layerSnapshotDir(env, layer.diffID);
    const kept = await keepDir(root, target);
    const diffIDs = [...base.diffIDs, layer.diffID];
    return { layer, fs: kept ? { diffIDs, lowers: [target, ...lowers] } : { diffIDs } };
  } finally {
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}
