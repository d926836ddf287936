/**
 * Reading the invoking user's identity from this host (the I/O half of `detectIdentity`).
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { detectIdentity, type Identity } from './identity.js';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The current process's identity, with ranges from /etc/subuid and /etc/subgid. */
export async function identityOfCurrentUser(): Promise<Identity> {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let username: string | undefined;
  try {
    username = userInfo().username;
  } catch {
    username = undefined;
  }
  const [subuidText, subgidText, uidMapText, gidMapText] = await Promise.all([
    readOptional('/etc/subuid'),
    readOptional('/etc/subgid'),
    readOptional('/proc/self/uid_map'),
    readOptional('/proc/self/gid_map'),
  ]);
  return detectIdentity({ uid, gid, username, subuidText, subgidText, uidMapText, gidMapText });
}
