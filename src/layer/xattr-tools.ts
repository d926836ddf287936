/**
 * Extended attributes through the `getfattr` / `setfattr` tools (Debian package `attr`): Node has no
 * xattr API, and a native addon would need a compiler at install time. Both tools are used in batch
 * mode — one process per tree read or per apply — so the cost does not grow with the file count.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ErrorCode, KilnError } from '../errors.js';

/** Extended attributes of one path, values as raw bytes. */
export type XattrMap = ReadonlyMap<string, Buffer>;

/** One attribute to set on one path. */
export interface XattrWrite {
  readonly path: string;
  readonly name: string;
  readonly value: Buffer;
}

/** Per-path problems reported by the tools (e.g. EPERM on security.capability when unprivileged). */
export interface XattrProblem {
  readonly message: string;
}

function missingTool(tool: string, cause: unknown): KilnError {
  return new KilnError(
    ErrorCode.Usage,
    `extended attributes need the \`${tool}\` program, which is not installed`,
    {
      hint: 'install the attr package (Debian/Ubuntu: apt-get install attr)',
      cause,
    },
  );
}

/** Escapes a path the way getfattr prints it (octal for control bytes and backslash). */
export function escapePath(path: string): string {
  const bytes = Buffer.from(path, 'utf8');
  let out = '';
  let plainStart = 0;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b === 0x7f || b === 0x5c) {
      parts.push(bytes.subarray(plainStart, i), Buffer.from(`\\${b.toString(8).padStart(3, '0')}`, 'latin1'));
      plainStart = i + 1;
    }
  }
  parts.push(bytes.subarray(plainStart));
  out = Buffer.concat(parts).toString('utf8');
  return out;
}

/** Reverses getfattr's octal escaping. */
export function unescapePath(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c && i + 3 < bytes.length + 0 && /^[0-7]{3}$/.test(bytes.toString('latin1', i + 1, i + 4))) {
      out.push(Number.parseInt(bytes.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out).toString('utf8');
}

function parseValue(text: string): Buffer {
  if (text === '' || text === '""') return Buffer.alloc(0);
  if (text.startsWith('0x')) return Buffer.from(text.slice(2), 'hex');
  if (text.startsWith('0s')) return Buffer.from(text.slice(2), 'base64');
  if (text.startsWith('"') && text.endsWith('"')) return Buffer.from(text.slice(1, -1), 'utf8');
  return Buffer.from(text, 'utf8');
}

export interface TreeXattrs {
  /** Absolute path → attributes, for every path under the directory that has any. */
  readonly byPath: ReadonlyMap<string, XattrMap>;
  readonly problems: readonly XattrProblem[];
}

/** Reads all extended attributes under `dir` (symlinks not followed) in one getfattr run. */
export async function readTreeXattrs(dir: string, signal?: AbortSignal): Promise<TreeXattrs> {
  const child = spawn(
    'getfattr',
    ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal }),
    },
  );
  const byPath = new Map<string, Map<string, Buffer>>();
  const problems: XattrProblem[] = [];
  let spawnError: unknown;
  child.on('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const errors = createInterface({ input: child.stderr });
  errors.on('line', (line) => {
    if (problems.length < 100) problems.push({ message: line });
  });
  let current: Map<string, Buffer> | undefined;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      byPath.set(unescapePath(line.slice(8)), current);
    } else if (line !== '' && current !== undefined) {
      const eq = line.indexOf('=');
      current.set(eq === -1 ? line : line.slice(0, eq), parseValue(eq === -1 ? '' : line.slice(eq + 1)));
    }
  }
  await exited;
  if (spawnError !== undefined) {
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw missingTool('getfattr', spawnError);
    throw new KilnError(ErrorCode.Internal, `getfattr failed: ${String(spawnError)}`, { cause: spawnError });
  }
  return { byPath, problems };
}

/** Sets many attributes in one setfattr run (symlinks not followed); returns per-path problems. */
export async function writeXattrs(
  writes: readonly XattrWrite[],
  signal?: AbortSignal,
): Promise<XattrProblem[]> {
  if (writes.length === 0) return [];
  const child = spawn('setfattr', ['-h', '--restore=-'], {
    stdio: ['pipe', 'ignore', 'pipe'],
    ...(signal === undefined ? {} : { signal }),
  });
  let spawnError: unknown;
  child.on('error', (error) => {
    spawnError = error;
  });
  child.stdin.on('error', () => {});
  const problems: XattrProblem[] = [];
  const errors = createInterface({ input: child.stderr });
  errors.on('line', (line) => problems.push({ message: line }));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  for (const write of writes) {
    const text = `# file: ${escapePath(write.path)}\n${write.name}=0x${write.value.toString('hex')}\n\n`;
    if (!child.stdin.write(text)) await Promise.race([once(child.stdin, 'drain'), exited]);
  }
  child.stdin.end();
  await exited;
  if (spawnError !== undefined) {
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw missingTool('setfattr', spawnError);
    throw new KilnError(ErrorCode.Internal, `setfattr failed: ${String(spawnError)}`, { cause: spawnError });
  }
  return problems;
}

function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

/** True when `name` can be passed to setfattr safely (no control characters, no '='). */
export function isWritableXattrName(name: string): boolean {
  return /^[a-zA-Z0-9][\x21-\x3c\x3e-\x7e]*$/.test(name) && name.length <= 255;
}
