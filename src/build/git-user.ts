/**
 * Who runs git when kiln is real root. Never root: git and its transports parse what the remote
 * sends. The host's dedicated `kiln-git` account is preferred (create it with
 * `useradd --system --no-create-home --shell /usr/sbin/nologin kiln-git`): its uid is nobody else's,
 * so no other process can read git's environment (which carries the GIT_AUTH_* header) through
 * /proc/PID/environ, signal git, or write in the work tree while git runs. Without it, git runs as
 * `nobody` (65534), which other services may share; the tree is still taken back safely afterwards
 * (git-tree.ts), but a credential handed to git is then readable by those services while git runs.
 */
import { readFile } from 'node:fs/promises';
import type { GitUser } from './git-command.js';

export const GIT_ACCOUNT = 'kiln-git';
export const NOBODY: GitUser = { uid: 65534, gid: 65534 };

export interface GitUserOptions {
  /** The passwd database to read (default /etc/passwd). */
  readonly passwdFile?: string;
}

/** The ids of the `kiln-git` account (when it exists and is not root's), else nobody's. */
export async function gitUser(options: GitUserOptions = {}): Promise<GitUser> {
  const passwd = await readFile(options.passwdFile ?? '/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name !== GIT_ACCOUNT || uid === undefined || gid === undefined) continue;
    const unprivileged = (id: string) => /^\d{1,10}$/.test(id) && Number(id) > 0 && Number(id) < 2 ** 32 - 1;
    return unprivileged(uid) && unprivileged(gid) ? { uid: Number(uid), gid: Number(gid) } : NOBODY;
  }
  return NOBODY;
}
