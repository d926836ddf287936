/**
 * The `auths` JSON shared by Docker's config.json and containers' auth.json (plus `credsStore` and
 * `credHelpers`), and the key matching both tools use.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, KilnError } from '../../errors.js';
import type { Credential } from './types.js';

/** One `auths` entry as found on disk. */
export interface AuthFileEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
}

/** The parts of a config.json / auth.json kiln reads. */
export interface AuthFile {
  readonly path: string;
  /** Keys normalised with `normalizeAuthKey`. */
  readonly auths: Readonly<Record<string, AuthFileEntry>>;
  readonly credsStore: string | undefined;
  /** Keys normalised with `normalizeAuthKey`. */
  readonly credHelpers: Readonly<Record<string, string>>;
}

const HUB_ALIASES: ReadonlySet<string> = new Set([
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * Normalises a key: URL keys (`https://index.docker.io/v1/`) become their `host[:port]`; plain keys keep
 * an optional `/namespace` path (containers auth.json); Docker Hub aliases become `docker.io`.
 */
export function normalizeAuthKey(key: string): string {
  let text = key.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (scheme) {
    text = text.slice(scheme[0].length);
    const slash = text.indexOf('/');
    if (slash !== -1) text = text.slice(0, slash);
  }
  text = text.replace(/\/+$/, '');
  const slash = text.indexOf('/');
  const host = (slash === -1 ? text : text.slice(0, slash)).toLowerCase();
  const rest = slash === -1 ? '' : text.slice(slash);
  return `${HUB_ALIASES.has(host) ? 'docker.io' : host}${rest}`;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

function objectField(value: unknown, key: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return {};
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null && !Array.isArray(field)
    ? (field as Record<string, unknown>)
    : {};
}

/** Parses the text of an auth file; E_CREDENTIALS when it is not a JSON object. */
export function parseAuthFile(text: string, path: string): AuthFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new KilnError(ErrorCode.Credentials, `${path}: not valid JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KilnError(ErrorCode.Credentials, `${path}: expected a JSON object`);
  }
  const auths: Record<string, AuthFileEntry> = {};
  for (const [key, entry] of Object.entries(objectField(value, 'auths'))) {
    const auth = stringField(entry, 'auth');
    const username = stringField(entry, 'username');
    const password = stringField(entry, 'password');
    const identitytoken = stringField(entry, 'identitytoken');
    auths[normalizeAuthKey(key)] = {
      ...(auth ? { auth } : {}),
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(identitytoken ? { identitytoken } : {}),
    };
  }
  const credHelpers: Record<string, string> = {};
  for (const [key, helper] of Object.entries(objectField(value, 'credHelpers'))) {
    if (typeof helper === 'string' && helper !== '') credHelpers[normalizeAuthKey(key)] = helper;
  }
  return { path, auths, credsStore: stringField(value, 'credsStore'), credHelpers };
}

/** Reads and parses an auth file; undefined when it does not exist. */
export async function readAuthFile(path: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return undefined;
    }
    throw new KilnError(ErrorCode.Credentials, `cannot read ${path}`, { cause: error });
  }
  return parseAuthFile(text, path);
}

/** Keys to try for a registry and repository, most specific first: `reg/a/b`, `reg/a`, `reg`. */
export function candidateKeys(registry: string, repository?: string): readonly string[] {
  const reg = normalizeAuthKey(registry);
  const out: string[] = [];
  if (repository) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) out.push(`${reg}/${parts.slice(0, n).join('/')}`);
  }
  out.push(reg);
  return out;
}

/** The most specific entry of a key→value map for a registry/repository. */
export function lookupKey<T>(
  map: Readonly<Record<string, T>>,
  registry: string,
  repository?: string,
): T | undefined {
  for (const key of candidateKeys(registry, repository)) {
    if (Object.hasOwn(map, key)) return map[key];
  }
  return undefined;
}

/** Decodes an entry (`auth` = base64 `user:password`, or username/password, or identitytoken). */
export function entryToCredential(entry: AuthFileEntry, where: string): Credential | undefined {
  if (entry.identitytoken) return { kind: 'identityToken', token: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new KilnError(ErrorCode.Credentials, `${where}: "auth" is not base64 of "user:password"`);
    }
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) {
    return { kind: 'basic', username: entry.username, password: entry.password };
  }
  return undefined;
}
