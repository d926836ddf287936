/**
 * `ADD <git url>` input checks before git sees anything (pure): the remote must be an https, http,
 * git or ssh URL (or scp-like `git@host:path`) that cannot be read as a git option or a local or
 * `ext::` transport; the ref must be a plain ref name or commit; the subdir must stay inside the
 * checkout. Also the reading of `git ls-remote` output into the commit a ref names.
 */
import { posix } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';

/** The transports ADD may fetch over (GIT_ALLOW_PROTOCOL is set to exactly these). */
export type GitTransport = 'https' | 'http' | 'git' | 'ssh';

export const ALLOWED_GIT_PROTOCOLS: readonly GitTransport[] = ['https', 'http', 'git', 'ssh'];

/** A checked remote. */
export interface GitRemote {
  /** The URL as handed to git (`git+ssh://` spelled `ssh://`). */
  readonly url: string;
  readonly transport: GitTransport;
  /** Host (with port) for per-host auth secrets (`GIT_AUTH_TOKEN.<host>`). */
  readonly host: string;
  /** The URL without user info, for progress and error messages. */
  readonly display: string;
}

function refuse(message: string): KilnError {
  return new KilnError(ErrorCode.Git, message);
}

// Control characters and whitespace never belong in a remote, ref or subdir.
const UNSAFE_CHARS = /[\u0000-\u0020\u007f]/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;

/** The transport and host of an ADD git URL; throws E_GIT for anything git could misread. */
export function gitRemote(url: string): GitRemote {
  if (url === '' || url.startsWith('-')) throw refuse(`git URL ${JSON.stringify(url)} looks like an option`);
  if (UNSAFE_CHARS.test(url))
    throw refuse(`git URL ${JSON.stringify(url)} has whitespace or control characters`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) {
    throw refuse(`git URL ${JSON.stringify(url)} uses a remote helper transport (refused)`);
  }
  const scp = /^git@([^:/]+):(.+)$/.exec(url);
  if (scp !== null && !/^[a-z+]+:\/\//i.test(url)) {
    const [, host, path] = scp;
    if (!HOST.test(host!)) throw refuse(`git URL ${JSON.stringify(url)} has an invalid host`);
    if (path!.startsWith('-'))
      throw refuse(`git URL ${JSON.stringify(url)} has a path that looks like an option`);
    return { url, transport: 'ssh', host: host!, display: url };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse(`git URL ${JSON.stringify(url)} is not a valid URL`);
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  const transport: GitTransport | undefined =
    scheme === 'git+ssh' || scheme === 'ssh+git'
      ? 'ssh'
      : (ALLOWED_GIT_PROTOCOLS as readonly string[]).includes(scheme)
        ? (scheme as GitTransport)
        : undefined;
  if (transport === undefined) {
    throw refuse(
      `git URL ${JSON.stringify(url)}: transport ${scheme} is not allowed (https, http, git, ssh)`,
    );
  }
  if (parsed.hostname === '' || !HOST.test(parsed.hostname)) {
    throw refuse(`git URL ${JSON.stringify(url)} has an invalid host`);
  }
  if (parsed.search !== '') {
    throw new KilnError(
      ErrorCode.Git,
      `git URL ${JSON.stringify(url)}: the ?key=value query form is not supported`,
      { hint: 'name the ref and subdir in the fragment: URL#REF:SUBDIR' },
    );
  }
  if (decodeURIComponent(parsed.username).startsWith('-')) {
    throw refuse(`git URL ${JSON.stringify(url)} has a user name that looks like an option`);
  }
  const rest = url.slice(url.indexOf('://'));
  const spelled = transport === 'ssh' ? `ssh${rest}` : url;
  // An ssh user name is no secret; an http(s) one may be a token.
  const plain = parsed.password === '' && (transport === 'ssh' || parsed.username === '');
  const display = plain ? spelled : withoutUserInfo(spelled);
  return { url: spelled, transport, host: parsed.host, display };
}

function withoutUserInfo(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

/** Hides `user:password@` in URLs inside free text (git's error messages). */
export function redactUrls(text: string): string {
  return text.replace(/([a-z+]+:\/\/)[^@/\s]*:[^@/\s]*@/gi, '$1***@');
}

const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** True for a full SHA-1 or SHA-256 commit name. */
export function isFullCommit(ref: string): boolean {
  return FULL_COMMIT.test(ref);
}

/** Throws E_GIT unless `ref` is a branch, tag, `refs/…` name or commit git cannot misread. */
export function checkGitRef(ref: string): void {
  const bad =
    ref.startsWith('-') ||
    ref.startsWith('/') ||
    ref.endsWith('/') ||
    ref.endsWith('.') ||
    ref.endsWith('.lock') ||
    ref.includes('..') ||
    ref.includes('//') ||
    ref.includes('@{') ||
    ref === '@' ||
    /[~^:?*[\\]/.test(ref) ||
    UNSAFE_CHARS.test(ref) ||
    ref.split('/').some((part) => part.startsWith('.'));
  if (bad) throw refuse(`invalid git ref ${JSON.stringify(ref)}`);
}

/** The subdir as a clean relative path ('' for the repository root); throws E_GIT when it escapes. */
export function cleanSubdir(subdir: string | undefined): string {
  if (subdir === undefined) return '';
  if (UNSAFE_CHARS.test(subdir.replace(/ /g, '')))
    throw refuse(`invalid git subdir ${JSON.stringify(subdir)}`);
  const clean = posix.normalize(`/${subdir}`).replace(/^\/+/, '').replace(/\/+$/, '');
  if (subdir.split('/').includes('..')) {
    throw refuse(`git subdir ${JSON.stringify(subdir)} leaves the repository`);
  }
  return clean === '.' ? '' : clean;
}

/** What a ref resolved to on the remote. */
export interface ResolvedRef {
  readonly commit: string;
  /** The full ref name to fetch (`refs/heads/main`, `refs/tags/v1`, `HEAD`). */
  readonly name: string;
  /** The branch name when the ref is a branch (checked out by that name with --keep-git-dir). */
  readonly branch?: string;
}

/**
 * The commit `ref` names in `git ls-remote` output (`<sha>\t<refname>` lines): the remote's HEAD when
 * `ref` is undefined; else `refs/…` exactly, then a tag (peeled when annotated), then a branch.
 * Undefined when nothing matches.
 */
export function resolveLsRemote(output: string, ref: string | undefined): ResolvedRef | undefined {
  const refs = new Map<string, string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const sha = line.slice(0, tab).trim();
    if (isFullCommit(sha)) refs.set(line.slice(tab + 1).trim(), sha);
  }
  const candidates =
    ref === undefined
      ? ['HEAD']
      : ref.startsWith('refs/')
        ? [ref]
        : [`refs/tags/${ref}`, `refs/heads/${ref}`, `refs/${ref}`];
  for (const name of candidates) {
    const sha = refs.get(`${name}^{}`) ?? refs.get(name);
    if (sha === undefined) continue;
    const branch = name.startsWith('refs/heads/') ? name.slice('refs/heads/'.length) : undefined;
    return { commit: sha, name, ...(branch === undefined ? {} : { branch }) };
  }
  return undefined;
}
