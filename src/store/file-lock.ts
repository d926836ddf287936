/**
 * An inter-process lock: a lock file created with O_EXCL holding the owner's pid, host and a token.
 * A lock is stale when its owner is a dead process on this host, or when its file was not refreshed
 * (the owner touches it while it holds the lock) for `staleMs`. Breaking a stale lock is itself
 * serialised through a second O_EXCL file, so two waiters cannot both break it and then share it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, KilnError } from '../errors.js';
import { isProcessAlive } from './atomic-file.js';

export interface FileLockOptions {
  /** Give up (E_STORE) after waiting this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** A lock not refreshed for this long is stale. Default 30 s; the holder refreshes every third of it. */
  readonly staleMs?: number;
  readonly signal?: AbortSignal;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly created: string;
}

const BREAKER_STALE_MS = 10_000;

/** Runs `fn` while holding the lock file at `path` (created with its directory if needed). */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 30_000;
  const token = await acquire(path, { ...options, staleMs });
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(path, token);
  }
}

async function acquire(
  path: string,
  options: FileLockOptions & { readonly staleMs: number },
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomUUID(),
    created: new Date().toISOString(),
  };
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new KilnError(
      ErrorCode.Store,
      `cannot create lock directory for ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) {
      throw new KilnError(ErrorCode.Aborted, `aborted while waiting for lock ${path}`, {
        cause: options.signal.reason,
      });
    }
    if (await tryCreate(path, `${JSON.stringify(owner)}\n`)) return owner.token;
    const holder = await inspect(path);
    if (holder !== undefined && isStale(holder, options.staleMs)) {
      await breakStale(path, holder.raw);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = holder?.owner ? `process ${holder.owner.pid} on ${holder.owner.host}` : 'another process';
      throw new KilnError(
        ErrorCode.Store,
        `timed out after ${timeoutMs} ms waiting for lock ${path} held by ${who}`,
        {
          hint: 'if no other kiln process is running, remove the lock file',
        },
      );
    }
    await sleep(Math.min(100, 2 + attempt * 2) + Math.random() * 10);
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KilnError(ErrorCode.Store, `cannot create lock file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

interface Holder {
  readonly raw: string;
  readonly owner: LockOwner | undefined;
  readonly mtimeMs: number;
}

async function inspect(path: string): Promise<Holder | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, owner: parseOwner(raw), mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KilnError(ErrorCode.Store, `cannot read lock file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return value as LockOwner;
    }
  } catch {
    // Being written right now, or garbage: only age can make it stale.
  }
  return undefined;
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (holder.owner && holder.owner.host === hostname() && !isProcessAlive(holder.owner.pid)) return true;
  return Date.now() - holder.mtimeMs > staleMs;
}

async function breakStale(path: string, observed: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, String(process.pid)))) {
    try {
      const info = await stat(breaker);
      if (Date.now() - info.mtimeMs > BREAKER_STALE_MS) await rm(breaker, { force: true });
    } catch {
      // Gone already.
    }
    return;
  }
  try {
    const now = await inspect(path);
    if (now !== undefined && now.raw === observed) await rm(path, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

async function release(path: string, token: string): Promise<void> {
  const holder = await inspect(path).catch(() => undefined);
  if (holder?.owner?.token === token) await rm(path, { force: true });
}
