/**
 * The build's secrets, queried by id. Values are read lazily (on first use by a step) and kept in
 * memory only for the build; files and variables are read once and checked against a size cap.
 */
import { open } from 'node:fs/promises';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { SecretSource } from './secret-source.js';

/** BuildKit's limit for one secret (secretsprovider MaxSecretSize: 500 KiB). */
export const DEFAULT_MAX_SECRET_BYTES = 500 * 1024;

/** What the solver asks about secrets. */
export interface SecretStore {
  /** Ids given on the command line. */
  readonly ids: readonly string[];
  /** The value of secret `id`, or undefined when no such secret was given (E_SECRET when unreadable or too big). */
  get(id: string): Promise<Buffer | undefined>;
  /** Every value read so far (for output masking and the leak scan), with its id. */
  resolved(): readonly { readonly id: string; readonly value: Buffer }[];
}

export interface SecretStoreOptions {
  readonly sources: readonly SecretSource[];
  /** The environment of the kiln invocation (used for env secrets). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly maxBytes?: number;
  /** Resolves relative file paths (default: process.cwd() at resolution time). */
  readonly cwd?: string;
}

async function readCapped(path: string, id: string, maxBytes: number): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new KilnError(ErrorCode.Secret, `secret ${id}: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new KilnError(ErrorCode.Secret, `secret ${id}: ${path} is not a regular file`);
    // Read one byte more than allowed so that a file growing under us is still caught.
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) {
      throw new KilnError(ErrorCode.TooLarge, `secret ${id} is larger than ${maxBytes} bytes`);
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Makes a store over `sources`; a duplicate id is an E_USAGE error (the last one would win silently otherwise). */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SECRET_BYTES;
  const byId = new Map<string, SecretSource>();
  for (const source of options.sources) {
    if (byId.has(source.id)) {
      throw new KilnError(ErrorCode.Usage, `secret id ${JSON.stringify(source.id)} given twice`);
    }
    byId.set(source.id, source);
  }
  const cache = new Map<string, Promise<Buffer>>();
  const done = new Map<string, Buffer>();
  const resolvePath = (path: string) =>
    path.startsWith('/') ? path : `${options.cwd ?? process.cwd()}/${path}`;
  const load = async (source: SecretSource): Promise<Buffer> => {
    switch (source.kind) {
      case 'file':
        return readCapped(resolvePath(source.path), source.id, maxBytes);
      case 'env': {
        const value = options.env[source.variable];
        if (value === undefined) {
          throw new KilnError(
            ErrorCode.Secret,
            `secret ${source.id}: environment variable ${source.variable} is not set`,
          );
        }
        return fromEnv(value, source.id, maxBytes);
      }
      case 'env-or-file': {
        const value = options.env[source.id];
        if (value !== undefined) return fromEnv(value, source.id, maxBytes);
        return readCapped(resolvePath(source.id), source.id, maxBytes);
      }
    }
  };
  return {
    ids: [...byId.keys()],
    get(id) {
      const source = byId.get(id);
      if (source === undefined) return Promise.resolve(undefined);
      let pending = cache.get(id);
      if (pending === undefined) {
        pending = load(source).then((value) => {
          done.set(id, value);
          return value;
        });
        cache.set(id, pending);
      }
      return pending;
    },
    resolved: () => [...done].map(([id, value]) => ({ id, value })),
  };
}

function fromEnv(value: string, id: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > maxBytes) {
    throw new KilnError(ErrorCode.TooLarge, `secret ${id} is larger than ${maxBytes} bytes`);
  }
  return bytes;
}

/** The error for a `required=true` secret/ssh mount whose id was not given, pointing at the RUN line. */
export function missingRequired(
  what: 'secret' | 'ssh',
  id: string,
  location: SourceLocation | undefined,
): KilnError {
  const flag = what === 'secret' ? `--secret id=${id},src=PATH` : `--ssh ${id}=SOCKET_OR_KEY`;
  return new KilnError(ErrorCode.Secret, `${what} ${id} is required but was not provided`, {
    location,
    hint: `pass it with ${flag}`,
  });
}
