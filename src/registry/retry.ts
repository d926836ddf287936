/**
 * Retry policy for registry traffic: exponential backoff with jitter, `Retry-After`, and the list of
 * failures worth another attempt (5xx, 429, dropped connections, truncated or corrupted transfers).
 */
import { ErrorCode, KilnError } from '../errors.js';

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Extra attempts after the first (default 4). */
  readonly retries: number;
  /** First backoff in ms (default 250); doubles each attempt. */
  readonly baseDelayMs: number;
  /** Upper bound of one backoff, and of an honoured Retry-After, in ms (default 15 s). */
  readonly maxDelayMs: number;
  /** Source of randomness for jitter in [0, 1) (tests pass a fixed one). */
  readonly random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 15_000 };

/** Backoff before retry number `attempt` (0-based): `base·2^attempt`, capped, scaled by a jitter in [0.5, 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const random = policy.random ?? Math.random;
  return Math.round(exp * (0.5 + random() * 0.5));
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into ms from `now`; undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The delay before the next attempt: Retry-After when the server gave one (capped), else backoff. */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  return backoffDelay(attempt, policy);
}

/** HTTP statuses that are retried. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
  // A transfer whose bytes did not verify: the next attempt gets a fresh copy.
  ErrorCode.DigestMismatch,
]);

/** True for transient transport failures (walks the `cause` chain). Never true for an abort. */
export function isRetryableError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (name === 'AbortError' || code === ErrorCode.Aborted) return false;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Resolves after `ms`, or rejects with E_ABORTED when the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new KilnError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new KilnError(ErrorCode.Aborted, 'operation aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WithRetryOptions {
  readonly policy: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Called before each retry (for progress/logging). */
  readonly onRetry?: (info: {
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: unknown;
  }) => void;
}

/** Runs `fn` until it succeeds or fails with a non-retryable error, or the attempts run out. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: WithRetryOptions,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.policy.retries || !isRetryableError(error) || options.signal?.aborted)
        throw error;
      const delayMs = backoffDelay(attempt, options.policy);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}
