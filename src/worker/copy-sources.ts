/**
 * What one COPY/ADD action reads, as a list of nodes with their destination-relative targets: from the
 * build context (the context module's selection rules), from another op's tree (COPY --from), or an
 * inline heredoc file.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { compileGoPattern, containsWildcards } from '../context/go-match.js';
import { listSelection, resolveSources } from '../context/index.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import { resolveInRoot } from '../executor/index.js';
import type { ContextSelection, CopyAction } from '../plan/index.js';
import type { WorkerEnv } from './types.js';

/** One node to copy. */
export interface CopyNode {
  /** Destination-relative path ('' = the destination itself). */
  readonly target: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  /** Owner in the source (used by COPY --from without --chown). */
  readonly uid: number;
  readonly gid: number;
  /** Modification time in milliseconds. */
  readonly mtimeMs: number;
  readonly linkTarget: string;
  /** Host path to read a regular file from (undefined for inline content). */
  readonly sourcePath?: string;
  readonly data?: string;
}

/** The nodes of an action plus what decides the destination's shape. */
export interface CopyListing {
  readonly nodes: readonly CopyNode[];
  /** Number of matched sources. */
  readonly sources: number;
  /** A wildcard matched (the destination must then be a directory). */
  readonly wildcard: boolean;
  /** The single source is a directory (its contents go into the destination). */
  readonly directorySource: boolean;
  /** Sources come from the build context (owners reset to 0:0). */
  readonly fromContext: boolean;
}

/** Lists a context selection. */
export async function listContextSource(env: WorkerEnv, selection: ContextSelection): Promise<CopyListing> {
  const resolved = await resolveSources(env.context, selection.patterns, {
    followSymlinks: selection.followSymlinks,
    excludes: selection.excludes,
    parents: selection.parents,
    allowEmptyWildcard: selection.allowEmptyWildcard,
  });
  const nodes: CopyNode[] = [];
  for await (const entry of listSelection(resolved, env.signal)) {
    nodes.push({
      target: entry.target,
      type: entry.type,
      mode: entry.mode,
      uid: 0,
      gid: 0,
      mtimeMs: entry.mtime,
      linkTarget: entry.linkTarget,
      sourcePath: entry.sourcePath,
    });
  }
  return {
    nodes,
    sources: resolved.sources.length,
    wildcard: resolved.sources.some((s) => s.wildcard) || selection.parents,
    directorySource: resolved.sources.length === 1 && resolved.sources[0]!.type === 'directory',
    fromContext: true,
  };
}

type NodeType = CopyNode['type'];

function typeOf(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): NodeType | undefined {
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return undefined;
}

/** The owner a node on disk stands for (rootless single-id trees record owners in xattrs). */
export type OwnerLookup = (
  host: string,
  onDisk: { readonly uid: number; readonly gid: number },
) => { readonly uid: number; readonly gid: number };

const DISK_OWNER: OwnerLookup = (_host, onDisk) => onDisk;

async function nodeAt(host: string, target: string, owners: OwnerLookup): Promise<CopyNode | undefined> {
  const st = await lstat(host);
  const type = typeOf(st);
  if (type === undefined) return undefined;
  const owner = owners(host, { uid: st.uid, gid: st.gid });
  return {
    target,
    type,
    mode: st.mode & 0o7777,
    uid: owner.uid,
    gid: owner.gid,
    mtimeMs: st.mtimeMs,
    linkTarget: type === 'symlink' ? await readlink(host) : '',
    ...(type === 'file' ? { sourcePath: host } : {}),
  };
}

async function walkTree(host: string, target: string, out: CopyNode[], owners: OwnerLookup): Promise<void> {
  const names = (await readdir(host)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const childTarget = target === '' ? name : `${target}/${name}`;
    const node = await nodeAt(join(host, name), childTarget, owners);
    if (node === undefined) continue;
    out.push(node);
    if (node.type === 'directory') await walkTree(join(host, name), childTarget, out, owners);
  }
}

/** Paths in `root` matching `source` (absolute, may end in a wildcard component). */
async function matchSource(root: string, source: string, action: CopyAction): Promise<string[]> {
  const name = posix.basename(source);
  if (!action.allowWildcard || !containsWildcards(name)) return [source];
  const parent = posix.dirname(source);
  if (containsWildcards(parent)) {
    throw new KilnError(
      ErrorCode.Usage,
      `COPY --from with wildcards before the last path component (${source}) is not supported yet`,
    );
  }
  const pattern = compileGoPattern(name);
  if (pattern === undefined)
    throw new KilnError(ErrorCode.Usage, `bad wildcard pattern ${JSON.stringify(name)}`);
  const dir = await resolveInRoot(root, parent);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => pattern.test(n))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((n) => posix.join(parent, n));
}

/** Lists `action.source` inside the tree `root` (COPY --from). */
export async function listTreeSource(
  root: string,
  action: CopyAction,
  location: SourceLocation | undefined,
  owners: OwnerLookup = DISK_OWNER,
): Promise<CopyListing> {
  const matches = await matchSource(root, action.source, action);
  const wildcard = matches.length !== 1 || matches[0] !== action.source;
  const nodes: CopyNode[] = [];
  let directorySource = false;
  for (const path of matches) {
    const host = action.followSymlinks ? await resolveInRoot(root, path) : join(root, path);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined) {
      throw new KilnError(ErrorCode.Context, `failed to compute cache key: "${path}": not found`, {
        ...(location === undefined ? {} : { location }),
      });
    }
    const self = await nodeAt(host, st.isDirectory() ? '' : basename(path), owners);
    if (self === undefined) continue;
    if (self.type === 'directory') {
      directorySource = matches.length === 1;
      nodes.push(self);
      await walkTree(host, '', nodes, owners);
    } else nodes.push(self);
  }
  return { nodes, sources: matches.length, wildcard, directorySource, fromContext: false };
}
