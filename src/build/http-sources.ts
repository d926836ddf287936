/**
 * `ADD <url>`: each HTTP(S) source is downloaded once per build into a private directory (file mode
 * 0600 and the Last-Modified time, as BuildKit does), hashed while streaming; the digest feeds the
 * cache key (or is checked against `--checksum`).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { BuildPlan, OpId } from '../plan/index.js';

/** Downloaded sources: content digests (cache keys) and directories holding the files. */
export interface HttpSources {
  readonly digests: ReadonlyMap<OpId, string>;
  readonly dirs: ReadonlyMap<OpId, string>;
}

export interface FetchHttpSourcesOptions {
  readonly plan: BuildPlan;
  /** A private directory for the downloads (removed with the build's work dir). */
  readonly dir: string;
  readonly file: string;
  readonly signal?: AbortSignal;
}

function checksumOf(checksum: string): { readonly algorithm: string; readonly hex: string } {
  const colon = checksum.indexOf(':');
  return { algorithm: checksum.slice(0, colon), hex: checksum.slice(colon + 1) };
}

async function download(
  url: string,
  target: string,
  checksum: string | undefined,
  signal: AbortSignal | undefined,
  location: SourceLocation | undefined,
): Promise<string> {
  const fail = (message: string, cause?: unknown) =>
    new KilnError(ErrorCode.Context, message, {
      ...(cause === undefined ? {} : { cause }),
      ...(location === undefined ? {} : { location }),
    });
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', ...(signal === undefined ? {} : { signal }) });
  } catch (cause) {
    throw fail(`cannot download ${url}: ${(cause as Error).message}`, cause);
  }
  if (!response.ok || response.body === null) throw fail(`cannot download ${url}: HTTP ${response.status}`);
  const sha256 = createHash('sha256');
  const wanted = checksum === undefined ? undefined : checksumOf(checksum);
  const pinned =
    wanted === undefined || wanted.algorithm === 'sha256' ? undefined : createHash(wanted.algorithm);
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      sha256.update(chunk);
      pinned?.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    hashing,
    createWriteStream(target, { mode: 0o600 }),
  );
  await chmod(target, 0o600);
  const modified = Date.parse(response.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) await utimes(target, modified / 1000, modified / 1000);
  const digest = `sha256:${sha256.digest('hex')}`;
  if (wanted !== undefined) {
    const actual = pinned === undefined ? digest.slice('sha256:'.length) : pinned.digest('hex');
    if (actual !== wanted.hex) {
      throw new KilnError(
        ErrorCode.DigestMismatch,
        `digest mismatch for ${url}: expected ${checksum}, got ${wanted.algorithm}:${actual}`,
        {
          ...(location === undefined ? {} : { location }),
        },
      );
    }
  }
  return digest;
}

/** Downloads every HTTP source of the plan (in parallel). Git sources are fetched by git-sources.ts. */
export async function fetchHttpSources(options: FetchHttpSourcesOptions): Promise<HttpSources> {
  const digests = new Map<OpId, string>();
  const dirs = new Map<OpId, string>();
  const users = (id: OpId) => options.plan.ops.find((op) => op.inputs.includes(id));
  await Promise.all(
    options.plan.ops.map(async (op, n) => {
      if (op.kind !== 'source') return;
      const user = users(op.id);
      const location = user?.range === undefined ? undefined : { file: options.file, range: user.range };
      if (op.source.kind !== 'http') return;
      const dir = join(options.dir, `http-${n}`);
      await mkdir(dir, { recursive: true });
      const digest = await download(
        op.source.url,
        join(dir, op.source.filename),
        op.source.checksum,
        options.signal,
        location,
      );
      digests.set(op.id, digest);
      dirs.set(op.id, dir);
    }),
  );
  return { digests, dirs };
}
