/**
 * Safe unpacking of an image archive (oci-archive, docker-archive; optionally gzip/zstd compressed)
 * into a private temp directory so its blobs can be read in any order.
 *
 * Member names never become paths: each regular file is written as a numbered file in the temp
 * directory and looked up through a table, so no entry can write outside it. Refused with
 * E_UNSAFE_ARCHIVE: absolute names, `..` components, duplicate names, hard links, devices, FIFOs, and
 * symbolic links that are not relative aliases of a regular file inside the archive (skopeo writes
 * `<id>/layer.tar -> ../<hex>.tar` aliases in docker-archives; they are resolved in the table and
 * never created on disk). The digest and size of every file are computed while it is written.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, KilnError } from '../errors.js';
import { decompress } from '../layer/compression.js';
import { readTar } from '../layer/tar/reader.js';
import { DEFAULT_TAR_LIMITS, type TarLimits } from '../layer/tar/types.js';
import { type Digest, Digester } from '../oci/digest.js';
import { MAX_DOCUMENT_BYTES, parseJson } from '../oci/parse-document.js';

/** A regular file of the archive, unpacked. */
export interface ExtractedFile {
  /** The member name (normalised: no `./` prefix, no trailing `/`). */
  readonly name: string;
  /** Where its bytes are on disk (inside the private temp directory). */
  readonly path: string;
  readonly digest: Digest;
  readonly size: number;
}

/** An unpacked archive; `close()` removes the temp directory. */
export interface ExtractedArchive {
  readonly source: string;
  /** The regular file (or the file a symlink alias points at) named `name`, if any. */
  file(name: string): ExtractedFile | undefined;
  /** Every member name that is a regular file or an alias of one. */
  names(): readonly string[];
  /** Reads and parses a JSON member, refusing members above `maxSize` (default 4 MiB). */
  readJson(name: string, what: string, maxSize?: number): Promise<unknown>;
  close(): Promise<void>;
}

export interface ExtractOptions {
  /** Parent of the private temp directory (default the OS temp dir). */
  readonly tmpDir?: string;
  readonly limits?: Partial<TarLimits>;
  readonly signal?: AbortSignal;
}

/** Archive limits: a real image archive has few members; layers themselves can be large. */
export const ARCHIVE_TAR_LIMITS: TarLimits = { ...DEFAULT_TAR_LIMITS, maxEntries: 100_000 };

function unsafe(source: string, message: string): KilnError {
  return new KilnError(ErrorCode.UnsafeArchive, `${source}: ${message}`);
}

/** The canonical member name, or undefined for the archive root (`.`, `./`). Throws on hostile names. */
export function normalizeMemberName(source: string, raw: string): string | undefined {
  if (raw.startsWith('/')) throw unsafe(source, `absolute member name ${JSON.stringify(raw)}`);
  if (raw.includes('\\')) throw unsafe(source, `member name with a backslash ${JSON.stringify(raw)}`);
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw unsafe(source, `member name with ".." ${JSON.stringify(raw)}`);
  return parts.length === 0 ? undefined : parts.join('/');
}

function hashing(digester: Digester): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      digester.update(chunk);
      callback(null, chunk);
    },
  });
}

/** Unpacks `file` (see the module comment). */
export async function extractArchive(file: string, options: ExtractOptions = {}): Promise<ExtractedArchive> {
  const source = file;
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'kiln-archive-'));
  const files = new Map<string, ExtractedFile>();
  const aliases = new Map<string, string>();
  const seen = new Set<string>();
  const limits: TarLimits = { ...ARCHIVE_TAR_LIMITS, ...options.limits };
  try {
    const input = createReadStream(file);
    const raw = await decompress(input, options.signal ? { signal: options.signal } : {});
    let count = 0;
    for await (const entry of readTar(raw, limits)) {
      if (options.signal?.aborted) throw new KilnError(ErrorCode.Aborted, 'archive read aborted');
      const name = normalizeMemberName(source, entry.header.name);
      if (name === undefined) continue;
      if (seen.has(name)) throw unsafe(source, `duplicate member ${JSON.stringify(name)}`);
      seen.add(name);
      switch (entry.header.type) {
        case 'directory':
          break;
        case 'file': {
          const path = join(dir, String(count++));
          const digester = new Digester();
          await pipeline(
            entry.body,
            hashing(digester),
            createWriteStream(path, { flags: 'wx', mode: 0o600 }),
          );
          files.set(name, { name, path, digest: digester.digest(), size: digester.size });
          break;
        }
        case 'symlink': {
          const target = entry.header.linkname;
          if (target.startsWith('/')) throw unsafe(source, `${JSON.stringify(name)}: absolute link target`);
          const resolved = posix.normalize(posix.join(posix.dirname(name), target));
          if (resolved === '..' || resolved.startsWith('../')) {
            throw unsafe(
              source,
              `${JSON.stringify(name)}: link target ${JSON.stringify(target)} leaves the archive`,
            );
          }
          aliases.set(name, resolved);
          break;
        }
        case 'hardlink':
        case 'char-device':
        case 'block-device':
        case 'fifo':
          throw unsafe(
            source,
            `${JSON.stringify(name)}: ${entry.header.type} members are not allowed in image archives`,
          );
        default:
          throw unsafe(source, `${JSON.stringify(name)}: unsupported member type`);
      }
    }
    for (const [name, target] of aliases) {
      const found = files.get(target);
      if (found === undefined) {
        throw unsafe(
          source,
          `${JSON.stringify(name)}: link target ${JSON.stringify(target)} is not a regular file of the archive`,
        );
      }
      files.set(name, { ...found, name });
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof KilnError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new KilnError(ErrorCode.NotFound, `cannot read archive ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw new KilnError(ErrorCode.UnsafeArchive, `cannot read archive ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    source,
    file: (name) => files.get(normalizeMemberName(source, name) ?? ''),
    names: () => [...files.keys()],
    async readJson(name, what, maxSize = MAX_DOCUMENT_BYTES) {
      const found = files.get(normalizeMemberName(source, name) ?? '');
      if (found === undefined)
        throw new KilnError(ErrorCode.InvalidDocument, `${source}: ${what} (${name}) is missing`);
      if (found.size > maxSize) {
        throw new KilnError(
          ErrorCode.TooLarge,
          `${source}: ${name} is ${found.size} bytes, more than ${maxSize}`,
        );
      }
      return parseJson(await readFile(found.path), `${what} (${name})`);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
