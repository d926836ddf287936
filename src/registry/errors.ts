/**
 * Registry failures as typed errors: the distribution spec's `{"errors":[{code,message,detail}]}` body
 * and the HTTP status are mapped to stable kiln codes.
 */
import { ErrorCode, type ErrorCodeValue, KilnError, type KilnErrorOptions } from '../errors.js';

/** One entry of a registry's `errors` array. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

export interface RegistryErrorOptions extends KilnErrorOptions {
  /** HTTP status of the failed response, when there was one. */
  readonly status?: number;
  readonly entries?: readonly RegistryErrorEntry[];
}

/** A KilnError raised for a registry protocol failure; keeps the HTTP status and the registry's errors. */
export class RegistryError extends KilnError {
  readonly status: number | undefined;
  readonly entries: readonly RegistryErrorEntry[];

  constructor(code: ErrorCodeValue, message: string, options: RegistryErrorOptions = {}) {
    super(code, message, options);
    this.name = 'RegistryError';
    this.status = options.status;
    this.entries = options.entries ?? [];
  }
}

const CODE_BY_REGISTRY_CODE: Readonly<Record<string, ErrorCodeValue>> = {
  UNAUTHORIZED: ErrorCode.RegistryAuth,
  DENIED: ErrorCode.RegistryDenied,
  NAME_UNKNOWN: ErrorCode.RegistryNotFound,
  MANIFEST_UNKNOWN: ErrorCode.RegistryNotFound,
  BLOB_UNKNOWN: ErrorCode.RegistryNotFound,
  BLOB_UPLOAD_UNKNOWN: ErrorCode.RegistryNotFound,
  MANIFEST_INVALID: ErrorCode.RegistryRejected,
  MANIFEST_BLOB_UNKNOWN: ErrorCode.RegistryRejected,
  MANIFEST_UNVERIFIED: ErrorCode.RegistryRejected,
  DIGEST_INVALID: ErrorCode.RegistryRejected,
  SIZE_INVALID: ErrorCode.RegistryRejected,
  NAME_INVALID: ErrorCode.RegistryRejected,
  TAG_INVALID: ErrorCode.RegistryRejected,
  BLOB_UPLOAD_INVALID: ErrorCode.RegistryRejected,
  RANGE_INVALID: ErrorCode.RegistryRejected,
  PAGINATION_NUMBER_INVALID: ErrorCode.RegistryRejected,
  UNSUPPORTED: ErrorCode.RegistryRejected,
  TOOMANYREQUESTS: ErrorCode.RegistryRateLimited,
  UNAVAILABLE: ErrorCode.RegistryUnreachable,
};

function codeForStatus(status: number): ErrorCodeValue {
  if (status === 401) return ErrorCode.RegistryAuth;
  if (status === 403) return ErrorCode.RegistryDenied;
  if (status === 404) return ErrorCode.RegistryNotFound;
  if (status === 429) return ErrorCode.RegistryRateLimited;
  if (status >= 500) return ErrorCode.RegistryUnreachable;
  return ErrorCode.Registry;
}

/** Reads the `errors` array of a registry error body; tolerant of anything that is not that shape. */
export function parseRegistryErrorBody(text: string): readonly RegistryErrorEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const errors = (value as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const item of errors) {
    if (typeof item !== 'object' || item === null) continue;
    const { code, message, detail } = item as { code?: unknown; message?: unknown; detail?: unknown };
    out.push({
      code: typeof code === 'string' ? code.toUpperCase() : 'UNKNOWN',
      message: typeof message === 'string' ? message : '',
      ...(detail === undefined ? {} : { detail }),
    });
  }
  return out;
}

export interface ResponseErrorInput {
  readonly status: number;
  /** The response body as text (may be empty or not JSON). */
  readonly body: string;
  /** What kiln was doing, e.g. `GET manifest 127.0.0.1:5000/app:1`. */
  readonly action: string;
}

/** Builds the typed error for a failed registry response (first known registry code wins over the status). */
export function registryErrorFromResponse(input: ResponseErrorInput): RegistryError {
  const entries = parseRegistryErrorBody(input.body);
  const known = entries.find((e) => Object.hasOwn(CODE_BY_REGISTRY_CODE, e.code));
  const code = known ? CODE_BY_REGISTRY_CODE[known.code]! : codeForStatus(input.status);
  const detailText = entries.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ');
  const fallback = input.body.trim().slice(0, 200);
  const reason = detailText || fallback || 'no details';
  return new RegistryError(code, `${input.action}: registry answered HTTP ${input.status} (${reason})`, {
    status: input.status,
    entries,
    ...(code === ErrorCode.RegistryAuth ? { hint: 'check the credentials (kiln login REGISTRY)' } : {}),
  });
}
