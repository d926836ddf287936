/**
 * `ADD <git url>`: before solving, the ref of every git source of the plan is resolved on its remote
 * (in parallel); the commit is the source's cache key, so a moved branch rebuilds and an unchanged one
 * hits the cache. The checkout, into a private directory, happens only when a step that copies from
 * the source must run (once per build). Credentials as BuildKit takes them: the `--ssh default` agent for ssh
 * remotes; the GIT_AUTH_HEADER / GIT_AUTH_TOKEN secrets (`.<host>` variants first) for https remotes
 * only — never over plain http, where anyone on the path could read them (BuildKit's documentation
 * does not say it sends them over http, so kiln does not, not even the host-specific ones).
 */
import { chmod, chown, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { BuildPlan, OpId, SourceSpec } from '../plan/index.js';
import {
  checkoutGitSource,
  type GitCheckoutRequest,
  type ResolvedGitSource,
  resolveGitSource,
} from './git-checkout.js';
import { type GitRunner, type GitUser, gitRunner } from './git-command.js';
import { type GitRemote, gitRemote } from './git-remote.js';
import { takeTree } from './git-tree.js';
import { gitUser } from './git-user.js';

/** What git sources need from the build: secrets by id, ssh agent sockets by id. */
export interface GitCredentials {
  /** The value of secret `id`, undefined when the build was not given it. */
  secret(id: string): Promise<Buffer | undefined>;
  /** The socket of `--ssh id`, undefined when the build was not given it. */
  sshSocket(id: string): Promise<string | undefined>;
}

export interface ResolveGitSourcesOptions {
  readonly plan: BuildPlan;
  /** A private directory for the checkouts (removed with the build's work dir). */
  readonly dir: string;
  readonly file: string;
  readonly credentials: GitCredentials;
  /** PATH to find git and ssh. */
  readonly pathVar?: string;
  /**
   * True when kiln runs as real root: git then runs as `kiln-git` or nobody (git-user.ts) in a
   * root-owned directory of its own below /tmp.
   */
  readonly realRoot: boolean;
  /** The passwd database to find the `kiln-git` account in (tests; default /etc/passwd). */
  readonly passwdFile?: string;
  /** Where real root makes the `kiln-git-*` directories (tests; default the system temp dir). */
  readonly tempDir?: string;
  /** Called around each resolution and checkout (progress). */
  readonly report?: <T>(name: string, work: () => Promise<T>) => Promise<T>;
  readonly signal?: AbortSignal;
}

export interface GitSources {
  /** The commit of each git source op (its cache key content). */
  readonly commits: ReadonlyMap<OpId, string>;
  /** Checks out a git source op (once); resolves the directory its files are in. */
  checkout(id: OpId): Promise<string>;
  /** Waits for checkouts under way, then removes directories made outside `dir` (real root only). */
  close(): Promise<void>;
}

/** One resolved source and how to check it out. */
interface Pending {
  readonly source: ResolvedGitSource;
  readonly git: GitRunner;
  readonly tree: string;
  readonly name: string;
  readonly location?: SourceLocation;
  checkout?: Promise<string>;
}

const TOKEN_SECRET = 'GIT_AUTH_TOKEN';
const HEADER_SECRET = 'GIT_AUTH_HEADER';

/** BuildKit's order: header then token, host-specific first; a token becomes basic x-access-token auth. */
async function authHeader(
  credentials: GitCredentials,
  url: string,
  host: string,
): Promise<{ readonly scope: string; readonly value: string } | undefined> {
  const tries: [string, boolean][] = [
    [`${HEADER_SECRET}.${host}`, false],
    [`${TOKEN_SECRET}.${host}`, true],
    [HEADER_SECRET, false],
    [TOKEN_SECRET, true],
  ];
  for (const [id, token] of tries) {
    const value = (await credentials.secret(id))?.toString('utf8').trim();
    if (value === undefined || value === '') continue;
    const header = token ? `basic ${Buffer.from(`x-access-token:${value}`).toString('base64')}` : value;
    const scope = new URL(url);
    return { scope: `${scope.protocol}//${scope.host}/`, value: `Authorization: ${header}` };
  }
  return undefined;
}

function located(error: unknown, location: SourceLocation | undefined): unknown {
  if (!(error instanceof KilnError) || error.location !== undefined || location === undefined) return error;
  return new KilnError(error.code, error.message, {
    cause: error,
    location,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}

/**
 * The git runner of one source, in its own private directory (`base`: `home` and `tree`). As real
 * root, git runs as `user` and `base` is a root-owned directory below /tmp (the kiln root may be out
 * of that user's reach), listed in `outside`: the user may write only in `home` and `tree`, so it can
 * never swap them for symlinks.
 */
async function sourceRunner(
  options: ResolveGitSourcesOptions,
  remote: GitRemote,
  index: number,
  outside: string[],
  user: GitUser | undefined,
): Promise<{ readonly git: GitRunner; readonly tree: string }> {
  const base =
    user !== undefined
      ? await mkdtemp(join(options.tempDir ?? tmpdir(), 'kiln-git-'))
      : join(options.dir, `git-${index}`);
  if (user !== undefined) {
    outside.push(base);
    await chmod(base, 0o711);
  }
  const home = join(base, 'home');
  const tree = join(base, 'tree');
  for (const dir of [home, tree]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (user !== undefined) await chown(dir, user.uid, user.gid);
  }
  const ssh = remote.transport === 'ssh' ? await options.credentials.sshSocket('default') : undefined;
  const auth =
    remote.transport === 'https' ? await authHeader(options.credentials, remote.url, remote.host) : undefined;
  const git = gitRunner({
    home,
    ceiling: dirname(home),
    ...(options.pathVar === undefined ? {} : { pathVar: options.pathVar }),
    ...(ssh === undefined ? {} : { sshSocket: ssh }),
    ...(auth === undefined ? {} : { authHeader: auth }),
    ...(user === undefined ? {} : { user }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { git, tree };
}

function requestOf(src: SourceSpec & { readonly kind: 'git' }): GitCheckoutRequest {
  return {
    url: src.url,
    ...(src.ref === undefined ? {} : { ref: src.ref }),
    ...(src.subdir === undefined ? {} : { subdir: src.subdir }),
    keepGitDir: src.keepGitDir,
    ...(src.checksum === undefined ? {} : { checksum: src.checksum }),
  };
}

/** Resolves every git source of the plan; checkouts are made by `checkout(id)`. */
export async function resolveGitSources(options: ResolveGitSourcesOptions): Promise<GitSources> {
  const commits = new Map<OpId, string>();
  const pending = new Map<OpId, Pending>();
  const outside: string[] = [];
  let closed = false;
  const close = async () => {
    closed = true;
    await Promise.allSettled([...pending.values()].map((p) => p.checkout));
    for (const dir of outside) await removeOutside(dir);
  };
  const report = <T>(name: string, location: SourceLocation | undefined, work: () => Promise<T>) => {
    const locatedWork = () =>
      work().catch((error: unknown) => {
        throw located(error, location);
      });
    return options.report === undefined ? locatedWork() : options.report(name, locatedWork);
  };
  const checkOut = async (p: Pending) => {
    const done = await checkoutGitSource(p.source, {
      git: p.git,
      tree: p.tree,
      chownToRoot: options.realRoot,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    p.checkout = Promise.resolve(done.root);
    return done;
  };
  const checkout = (id: OpId): Promise<string> => {
    const p = pending.get(id);
    if (p === undefined || (closed && p.checkout === undefined)) {
      return Promise.reject(new KilnError(ErrorCode.Internal, `no open git source ${id}`));
    }
    p.checkout ??= report(
      `[internal] fetch git source ${p.name}`,
      p.location,
      async () => (await checkOut(p)).root,
    );
    return p.checkout;
  };
  const users = (id: OpId) => options.plan.ops.find((op) => op.inputs.includes(id));
  const user = options.realRoot
    ? await gitUser(options.passwdFile === undefined ? {} : { passwdFile: options.passwdFile })
    : undefined;
  // Every source settles before the first failure is thrown, so nothing is left running (or making
  // directories) after close().
  const settled = await Promise.allSettled(
    options.plan.ops.map(async (op, n) => {
      if (op.kind !== 'source' || op.source.kind !== 'git') return;
      const src = op.source;
      const range = users(op.id)?.range;
      const location = range === undefined ? undefined : { file: options.file, range };
      const name = displayName(src.url, src.ref, src.subdir);
      await report(`[internal] load git source ${name}`, location, async () => {
        const { git, tree } = await sourceRunner(options, gitRemote(src.url), n, outside, user);
        const source = await resolveGitSource(requestOf(src), git);
        const p: Pending = { source, git, tree, name, ...(location === undefined ? {} : { location }) };
        pending.set(op.id, p);
        // An abbreviated commit is known only once fetched: check out now.
        commits.set(op.id, source.commit ?? (await checkOut(p)).commit);
      });
    }),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  return { commits, checkout, close };
}

/**
 * Removes a directory made as real root below /tmp. What git's user could write in is taken back
 * first (a recursive removal in a directory another uid can change could be steered onto host files
 * through a swapped-in symlink); when that fails, the directory is left in place.
 */
async function removeOutside(base: string): Promise<void> {
  const exists = await lstat(base).then(
    (st) => st.isDirectory(),
    () => false,
  );
  if (!exists) return;
  const taken = await takeTree(base, { mode: 'cleanup' }).then(
    () => true,
    () => false,
  );
  if (taken) await rm(base, { recursive: true, force: true }).catch(() => undefined);
}

function displayName(url: string, ref: string | undefined, subdir: string | undefined): string {
  let shown = url;
  try {
    shown = gitRemote(url).display;
  } catch {
    // Refused URLs are reported by the checkout itself.
  }
  const fragment =
    ref === undefined && subdir === undefined
      ? ''
      : `#${ref ?? ''}${subdir === undefined ? '' : `:${subdir}`}`;
  return `${shown}${fragment}`;
}
