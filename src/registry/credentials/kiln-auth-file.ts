/**
 * kiln's own auth file (what `kiln login` writes): the containers auth.json format
 * (`{"auths": {"host[:port]": {"auth": base64("user:password")}}}`), mode 0600, replaced atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, KilnError } from '../../errors.js';
import { normalizeAuthKey } from './auth-file.js';
import type { Credential } from './types.js';

type RawFile = Record<string, unknown> & { auths?: Record<string, unknown> };

async function readRaw(path: string): Promise<RawFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new KilnError(ErrorCode.Credentials, `cannot read ${path}`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as RawFile;
  } catch (cause) {
    throw new KilnError(ErrorCode.Credentials, `${path}: not a JSON object`, { cause });
  }
}

async function writeRaw(path: string, value: RawFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.auth-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new KilnError(ErrorCode.Credentials, `cannot write ${path}`, { cause });
  }
}

/** Stores (replaces) the credential for a registry in the auth file at `path`. */
export async function saveCredential(path: string, registry: string, credential: Credential): Promise<void> {
  const raw = await readRaw(path);
  const auths: Record<string, unknown> =
    typeof raw.auths === 'object' && raw.auths !== null ? { ...raw.auths } : {};
  const key = normalizeAuthKey(registry);
  auths[key] =
    credential.kind === 'basic'
      ? { auth: Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64') }
      : { identitytoken: credential.token };
  await writeRaw(path, { ...raw, auths });
}

/** Removes a registry's credential from the auth file; false when it held none. */
export async function removeCredential(path: string, registry: string): Promise<boolean> {
  const raw = await readRaw(path);
  if (typeof raw.auths !== 'object' || raw.auths === null) return false;
  const key = normalizeAuthKey(registry);
  const auths: Record<string, unknown> = {};
  let removed = false;
  for (const [k, v] of Object.entries(raw.auths)) {
    if (normalizeAuthKey(k) === key) removed = true;
    else auths[k] = v;
  }
  if (removed) await writeRaw(path, { ...raw, auths });
  return removed;
}
