/**
 * Opening a build context: a directory, a tar stream, or stdin (docker's `build -`: an archive, or a
 * Dockerfile with an empty context), then choosing the Dockerfile and the ignore file.
 */
import { mkdir, mkdtemp, open, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { selectIgnoreFile } from '../dockerfile/ignore/index.js';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { BuildContext, type BuildContextKind } from './build-context.js';
import { decompressContext, detectContextCompression, peek } from './decompress-context.js';
import { extractContextTar } from './extract-tar.js';
import { removeTree } from './remove-tree.js';
import { resolveInContext } from './resolve-path.js';
import {
  type ContextIgnore,
  type ContextLimits,
  type ContextSource,
  DEFAULT_CONTEXT_LIMITS,
} from './types.js';

export interface OpenBuildContextOptions {
  readonly source: ContextSource;
  /**
   * The Dockerfile: relative to the context root (resolved inside it), or absolute (read from the host;
   * directory contexts only — for archives an absolute path names a member). Default `Dockerfile`,
   * falling back to `dockerfile` like the docker CLI. Ignored for `{kind:'dockerfile'}` sources.
   */
  readonly dockerfilePath?: string;
  /** Dockerfile text given separately (`-f -` with a directory context); wins over `dockerfilePath`. */
  readonly dockerfileText?: string;
  /** Patterns to use instead of any ignore file (as if read from a .dockerignore). */
  readonly ignorePatterns?: readonly string[];
  readonly limits?: ContextLimits;
  /** Where private temporary directories for archive contexts are created (default: the OS tmpdir). */
  readonly tempDir?: string;
  readonly signal?: AbortSignal;
}

function contextError(message: string, cause?: unknown, hint?: string): KilnError {
  return new KilnError(ErrorCode.Context, message, {
    ...(cause === undefined ? {} : { cause }),
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Reads a whole small file, refusing more than `max` bytes. `undefined` when it does not exist. */
async function readSmallFile(path: string, max: number, what: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw contextError(`cannot read ${what} ${path}: ${(error as Error).message}`, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw contextError(`${what} ${path} is not a regular file`);
    if (info.size > max) {
      throw new KilnError(ErrorCode.TooLarge, `${what} ${path} is ${info.size} bytes (limit ${max})`);
    }
    const buffer = Buffer.alloc(Math.min(info.size, max) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > max)
      throw new KilnError(ErrorCode.TooLarge, `${what} ${path} is larger than ${max} bytes`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function readStreamText(stream: Readable, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    length += buffer.length;
    if (length > max)
      throw new KilnError(ErrorCode.TooLarge, `Dockerfile on stdin is larger than ${max} bytes`);
    parts.push(buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Whether a 512-byte block is a tar header (valid checksum) or the end-of-archive zero block. */
export function looksLikeTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.subarray(0, 512).every((b) => b === 0)) return true;
  const field = block
    .subarray(148, 156)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]{1,8}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return Number.parseInt(field, 8) === sum;
}

interface Located {
  readonly root: string;
  readonly kind: BuildContextKind;
  readonly ownedDir?: string;
  readonly stdinDockerfile?: string;
}

async function privateDir(options: OpenBuildContextOptions): Promise<string> {
  const base = options.tempDir ?? tmpdir();
  await mkdir(base, { recursive: true });
  return mkdtemp(join(base, 'kiln-context-'));
}

async function extractInto(
  stream: Readable,
  options: OpenBuildContextOptions,
  limits: ContextLimits,
): Promise<Located> {
  const owned = await privateDir(options);
  try {
    const root = join(owned, 'context');
    await mkdir(root, { mode: 0o700 });
    const tar = await decompressContext(stream, options.signal);
    await extractContextTar(tar, root, limits.tar, options.signal);
    return { root, kind: 'tar', ownedDir: owned };
  } catch (error) {
    await removeTree(owned);
    throw error;
  }
}

async function emptyContext(options: OpenBuildContextOptions, dockerfile: string): Promise<Located> {
  const owned = await privateDir(options);
  const root = join(owned, 'context');
  await mkdir(root, { mode: 0o700 });
  return { root, kind: 'empty', ownedDir: owned, stdinDockerfile: dockerfile };
}

async function locate(options: OpenBuildContextOptions, limits: ContextLimits): Promise<Located> {
  const source = options.source;
  switch (source.kind) {
    case 'dir': {
      let root: string;
      try {
        root = await realpath(source.path);
      } catch (error) {
        throw contextError(`build context ${source.path} does not exist`, error);
      }
      if (!(await stat(root)).isDirectory())
        throw contextError(`build context ${source.path} is not a directory`);
      return { root, kind: 'dir' };
    }
    case 'tar':
      return extractInto(source.stream, options, limits);
    case 'stdin': {
      const { head, stream } = await peek(source.stream, 512);
      if (detectContextCompression(head) !== 'none' || looksLikeTarHeader(head)) {
        return extractInto(stream, options, limits);
      }
      return emptyContext(options, await readStreamText(stream, limits.maxDockerfileSize));
    }
    case 'dockerfile':
      return emptyContext(options, source.text);
    default:
      return assertNever(source, 'context source');
  }
}

interface DockerfileLocation {
  readonly name: string;
  readonly text: string;
  /** Host path of the Dockerfile, for its `<name>.dockerignore` (undefined for stdin). */
  readonly hostPath?: string;
}

async function findDockerfile(
  located: Located,
  options: OpenBuildContextOptions,
  limits: ContextLimits,
): Promise<DockerfileLocation> {
  if (located.stdinDockerfile !== undefined) return { name: '<stdin>', text: located.stdinDockerfile };
  if (options.dockerfileText !== undefined) return { name: '<stdin>', text: options.dockerfileText };
  const max = limits.maxDockerfileSize;
  const requested = options.dockerfilePath;
  if (requested !== undefined && isAbsolute(requested) && located.kind === 'dir') {
    const text = await readSmallFile(requested, max, 'Dockerfile');
    if (text === undefined) throw contextError(`Dockerfile ${requested} not found`);
    return { name: requested, text, hostPath: requested };
  }
  const candidates = requested === undefined ? ['Dockerfile', 'dockerfile'] : [requested];
  // The frontend sees the Dockerfile even when .dockerignore matches it: resolve without ignore rules.
  const unfiltered = new BuildContext({
    kind: located.kind,
    root: located.root,
    dockerfile: { name: '', text: '' },
    ignore: { source: 'none', patterns: [] },
    limits,
  });
  for (const candidate of candidates) {
    const normalized = posix.normalize(candidate);
    if (normalized === '..' || normalized.startsWith('../')) {
      throw new KilnError(
        ErrorCode.PathEscape,
        `Dockerfile path ${JSON.stringify(candidate)} leaves the context`,
      );
    }
    const resolved = await resolveInContext(unfiltered, candidate, true);
    if (resolved === undefined) continue;
    const hostPath = join(located.root, resolved.path);
    const text = await readSmallFile(hostPath, max, 'Dockerfile');
    if (text !== undefined) return { name: candidate, text, hostPath };
  }
  throw contextError(
    `Dockerfile ${JSON.stringify(candidates[0])} not found in the build context`,
    undefined,
    'pass -f with the path of the Dockerfile',
  );
}

async function chooseIgnore(
  located: Located,
  dockerfile: DockerfileLocation,
  options: OpenBuildContextOptions,
  limits: ContextLimits,
): Promise<ContextIgnore> {
  if (options.ignorePatterns !== undefined) return { source: 'option', patterns: options.ignorePatterns };
  const max = limits.maxDockerfileSize;
  const specific =
    dockerfile.hostPath === undefined
      ? undefined
      : await readSmallFile(`${dockerfile.hostPath}.dockerignore`, max, 'ignore file');
  const contextRoot = await readSmallFile(join(located.root, '.dockerignore'), max, 'ignore file');
  const selected = selectIgnoreFile({
    ...(specific === undefined ? {} : { dockerfileSpecific: specific }),
    ...(contextRoot === undefined ? {} : { contextRoot }),
  });
  return { source: selected.source, patterns: selected.patterns };
}

/**
 * Opens a build context. Archive and stdin contexts are extracted into a private temporary directory;
 * call `close()` on the result when done. Throws KilnError: E_CONTEXT (missing context or Dockerfile),
 * E_UNSAFE_ARCHIVE / E_TOO_LARGE (hostile archives), E_PATH_ESCAPE, E_IGNORE_PATTERN.
 */
export async function openBuildContext(options: OpenBuildContextOptions): Promise<BuildContext> {
  const limits = options.limits ?? DEFAULT_CONTEXT_LIMITS;
  const located = await locate(options, limits);
  try {
    const dockerfile = await findDockerfile(located, options, limits);
    const ignore = await chooseIgnore(located, dockerfile, options, limits);
    return new BuildContext({
      kind: located.kind,
      root: located.root,
      dockerfile: { name: dockerfile.name, text: dockerfile.text },
      ignore,
      limits,
      ...(located.ownedDir === undefined ? {} : { ownedDir: located.ownedDir }),
    });
  } catch (error) {
    if (located.ownedDir !== undefined) await removeTree(located.ownedDir);
    throw error;
  }
}
