/**
 * One `ADD <git url>` checkout, as BuildKit's git source makes it: the ref is resolved on the remote
 * (`git ls-remote`) to a commit — the source's cache key — and only when a step must copy from it is
 * that commit fetched shallowly (falling back to the ref name, then to a full fetch for servers that
 * refuse a commit or for abbreviated commits), checked out with its submodules, and stripped of `.git`
 * unless --keep-git-dir. Files are then made
 * independent of the checking-out machine: modes 0644/0755 as git records them, directories 0755,
 * every time the commit's time, owners 0:0.
 */
import { chmod, lstat, lutimes, readdir, realpath, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { GitRunner } from './git-command.js';
import {
  checkGitRef,
  cleanSubdir,
  type GitRemote,
  gitRemote,
  isFullCommit,
  type ResolvedRef,
  resolveLsRemote,
} from './git-remote.js';
import { takeTree } from './git-tree.js';

export interface GitCheckoutRequest {
  readonly url: string;
  readonly ref?: string;
  readonly subdir?: string;
  readonly keepGitDir: boolean;
  /** `--checksum`: the commit the ref must resolve to. */
  readonly checksum?: string;
}

export interface GitCheckoutOptions {
  readonly git: GitRunner;
  /** An empty private directory for the work tree (git may write it). */
  readonly tree: string;
  /**
   * git ran as another, untrusted uid: the tree is taken back (every entry 0:0, top-down, through
   * descriptors) before it is read or changed. Its parent must be root's and not writable by others.
   */
  readonly chownToRoot: boolean;
  readonly signal?: AbortSignal;
}

/** A finished checkout: the commit and the directory ADD copies from (the subdir, if any). */
export interface GitCheckout {
  readonly commit: string;
  readonly root: string;
}

function gitError(message: string, hint?: string): KilnError {
  return new KilnError(ErrorCode.Git, message, hint === undefined ? {} : { hint });
}

/** The remote's commit for the request's ref (no network for a full commit). */
export async function resolveGitRef(
  git: GitRunner,
  remoteUrl: string,
  display: string,
  ref: string | undefined,
): Promise<ResolvedRef | { readonly abbreviated: string }> {
  if (ref !== undefined && isFullCommit(ref)) return { commit: ref, name: ref };
  const listing = await git(['ls-remote', '--', remoteUrl]);
  const found = resolveLsRemote(listing, ref);
  if (found !== undefined) return found;
  if (ref !== undefined && /^[0-9a-f]{7,63}$/.test(ref)) return { abbreviated: ref };
  throw gitError(
    ref === undefined
      ? `${display} has no HEAD to check out`
      : `ref ${JSON.stringify(ref)} not found in ${display}`,
  );
}

async function fetchCommit(
  git: GitRunner,
  tree: string,
  resolved: ResolvedRef | { readonly abbreviated: string },
): Promise<string> {
  const verify = async (name: string) =>
    (await git(['rev-parse', '--verify', '--end-of-options', `${name}^{commit}`], tree)).trim();
  const fullFetch = () =>
    git(
      [
        'fetch',
        '-q',
        '--no-tags',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*',
        '+refs/tags/*:refs/tags/*',
      ],
      tree,
    );
  if ('abbreviated' in resolved) {
    await fullFetch();
    return verify(resolved.abbreviated).catch(() => {
      throw gitError(`ref ${JSON.stringify(resolved.abbreviated)} is not a commit of the repository`);
    });
  }
  try {
    await git(['fetch', '-q', '--depth=1', '--no-tags', 'origin', resolved.commit], tree);
    return await verify(resolved.commit);
  } catch {
    // Servers (or the dumb http transport) that do not serve a commit by name.
  }
  if (resolved.name !== resolved.commit) {
    await git(['fetch', '-q', '--depth=1', '--no-tags', 'origin', resolved.name], tree);
    const fetched = await verify('FETCH_HEAD');
    if (fetched !== resolved.commit) {
      throw gitError(
        `${resolved.name} moved while it was fetched (${resolved.commit} → ${fetched}); build again`,
      );
    }
    return fetched;
  }
  await fullFetch();
  return verify(resolved.commit).catch(() => {
    throw gitError(`commit ${resolved.commit} is not in the repository`);
  });
}

/** Removes every `.git` (the repository's and its submodules' links) below `dir`. */
async function removeGitDirs(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === '.git') await rm(path, { recursive: true, force: true });
    else if (entry.isDirectory()) await removeGitDirs(path);
  }
}

/**
 * Modes as git records them and times of the commit; children before parents. Only for a tree no
 * other uid can change (the building user's own, or one `takeTree` made root's).
 */
async function normalizeTree(path: string, time: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const st = await lstat(path);
  if (st.isDirectory()) {
    for (const name of await readdir(path)) await normalizeTree(join(path, name), time, signal);
    await chmod(path, 0o755);
  } else if (st.isFile()) {
    await chmod(path, st.mode & 0o100 ? 0o755 : 0o644);
  }
  await lutimes(path, time, time);
}

/**
 * A git source checked and resolved on the remote. `commit` is the cache key; it is undefined only for
 * an abbreviated commit, which is known after the checkout.
 */
export interface ResolvedGitSource {
  readonly request: GitCheckoutRequest;
  readonly remote: GitRemote;
  readonly subdir: string;
  readonly ref: ResolvedRef | { readonly abbreviated: string };
  readonly commit?: string;
}

function checksumMismatch(source: ResolvedGitSource, actual: string): KilnError {
  const { request, remote } = source;
  return new KilnError(
    ErrorCode.DigestMismatch,
    `expected checksum to match ${request.checksum}, got ${actual} for ${remote.display}${request.ref === undefined ? '' : `#${request.ref}`}`,
  );
}

/** Checks the request (E_GIT) and resolves its ref on the remote; a wrong --checksum fails here. */
export async function resolveGitSource(
  request: GitCheckoutRequest,
  git: GitRunner,
): Promise<ResolvedGitSource> {
  const remote = gitRemote(request.url);
  if (request.ref !== undefined) checkGitRef(request.ref);
  const subdir = cleanSubdir(request.subdir);
  const ref = await resolveGitRef(git, remote.url, remote.display, request.ref);
  const source = { request, remote, subdir, ref, ...('commit' in ref ? { commit: ref.commit } : {}) };
  if (request.checksum !== undefined && source.commit !== undefined && source.commit !== request.checksum) {
    throw checksumMismatch(source, source.commit);
  }
  return source;
}

/** Fetches and checks out a resolved git source into `options.tree`. */
export async function checkoutGitSource(
  source: ResolvedGitSource,
  options: GitCheckoutOptions,
): Promise<GitCheckout> {
  const { request, remote, subdir } = source;
  const { git, tree } = options;
  await git(['init', '-q', '--', tree]);
  await git(['remote', 'add', 'origin', remote.url], tree);
  const commit = await fetchCommit(git, tree, source.ref);
  if (request.checksum !== undefined && commit !== request.checksum) throw checksumMismatch(source, commit);
  const branch = 'branch' in source.ref ? source.ref.branch : undefined;
  await git(
    request.keepGitDir && branch !== undefined
      ? ['checkout', '-q', '-B', branch, commit]
      : ['checkout', '-q', '--detach', commit],
    tree,
  );
  const hasModules = await lstat(join(tree, '.gitmodules')).then(
    () => true,
    () => false,
  );
  if (hasModules) await git(['submodule', 'update', '-q', '--init', '--recursive', '--depth=1'], tree);
  const time = Number((await git(['log', '-1', '--format=%ct', commit], tree)).trim());
  if (options.chownToRoot) {
    await takeTree(tree, {
      mode: 'checkout',
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
  if (!request.keepGitDir) await removeGitDirs(tree);
  await normalizeTree(tree, Number.isFinite(time) ? time : 0, options.signal);
  if (subdir === '') return { commit, root: tree };
  const real = await realpath(join(tree, subdir)).catch(() => undefined);
  const top = await realpath(tree);
  if (real === undefined || !real.startsWith(top + sep) || !(await lstat(real)).isDirectory()) {
    throw gitError(`subdir ${JSON.stringify(subdir)} is not a directory of ${remote.display} at ${commit}`);
  }
  return { commit, root: real };
}
