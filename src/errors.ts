/**
 * Typed errors with stable codes. Every error kiln raises for bad input is a KilnError (or a subclass),
 * so that the CLI can render it without a stack trace and library users can switch on `code`.
 */

/** 1-based line and column in a source text (column counts UTF-16 code units, like editors). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A range in a source text; `end` is inclusive of its line, exclusive of its column. */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** Where in which file something happened. */
export interface SourceLocation {
  readonly file: string;
  readonly range: SourceRange;
}

/**
 * The stable error codes. Add new codes here; never rename one (tools match on them).
 */
export const ErrorCode = {
  /** Generic bad usage of the CLI or library options. */
  Usage: 'E_USAGE',
  /** Dockerfile syntax the parser cannot read. */
  DockerfileSyntax: 'E_DOCKERFILE_SYNTAX',
  /** A Dockerfile instruction that parses but is invalid (arguments, flags, values). */
  DockerfileInstruction: 'E_DOCKERFILE_INSTRUCTION',
  /** Unknown instruction keyword. */
  UnknownInstruction: 'E_UNKNOWN_INSTRUCTION',
  /** Unknown or malformed instruction flag. */
  UnknownFlag: 'E_UNKNOWN_FLAG',
  /** Word expansion failed (bad substitution, ${V:?msg}, unterminated quote...). */
  Expansion: 'E_EXPANSION',
  /** Stage graph problems: unknown stage, cycle, bad target. */
  Stage: 'E_STAGE',
  /** A line longer than the parser accepts. */
  LineTooLong: 'E_LINE_TOO_LONG',
  /** Bad .dockerignore pattern. */
  IgnorePattern: 'E_IGNORE_PATTERN',
  /** Bad image reference. */
  Reference: 'E_REFERENCE',
  /** Bad or unsupported platform string. */
  Platform: 'E_PLATFORM',
  /** A document that is not a valid OCI / Docker manifest, index, config, descriptor. */
  InvalidDocument: 'E_INVALID_DOCUMENT',
  /** Content whose digest or size differs from what was expected. */
  DigestMismatch: 'E_DIGEST_MISMATCH',
  /** Malformed digest string. */
  InvalidDigest: 'E_INVALID_DIGEST',
  /** Something asked for is not in the local store. */
  NotFound: 'E_NOT_FOUND',
  /** Store corruption or an unusable store directory. */
  Store: 'E_STORE',
  /** Registry protocol failures. */
  Registry: 'E_REGISTRY',
  RegistryAuth: 'E_REGISTRY_AUTH',
  RegistryDenied: 'E_REGISTRY_DENIED',
  RegistryNotFound: 'E_REGISTRY_NOT_FOUND',
  /** The registry refused content as invalid (MANIFEST_INVALID, DIGEST_INVALID, SIZE_INVALID, TAG_INVALID…). */
  RegistryRejected: 'E_REGISTRY_REJECTED',
  /** The registry kept answering 429 TOOMANYREQUESTS after all retries. */
  RegistryRateLimited: 'E_REGISTRY_RATE_LIMITED',
  /** The registry could not be reached (DNS, connection refused/reset, TLS failure, timeouts, 5xx after retries). */
  RegistryUnreachable: 'E_REGISTRY_UNREACHABLE',
  /** Credential files or credential helpers that cannot be read, parsed or run. */
  Credentials: 'E_CREDENTIALS',
  /** A hostile or malformed archive (tar) entry. */
  UnsafeArchive: 'E_UNSAFE_ARCHIVE',
  /** An input larger than allowed (decompression bombs, oversized documents). */
  TooLarge: 'E_TOO_LARGE',
  /** A path that escapes the build context or a root filesystem. */
  PathEscape: 'E_PATH_ESCAPE',
  /** User namespace / rootless set-up problems. */
  UserNamespace: 'E_USERNS',
  /** An executor (RUN) failure that is not the command's own exit status. */
  Executor: 'E_EXECUTOR',
  /** A RUN command exited non-zero. */
  RunFailed: 'E_RUN_FAILED',
  /** Build secret problems (missing required secret, leak detected). */
  Secret: 'E_SECRET',
  SecretLeak: 'E_SECRET_LEAK',
  /** The operation was aborted through an AbortSignal. */
  Aborted: 'E_ABORTED',
  /** A bug: an invariant kiln relies on did not hold. */
  Internal: 'E_INTERNAL',
  /** Mounting, copying or removing a root filesystem snapshot failed. */
  Snapshot: 'E_SNAPSHOT',
  /** A progress event (e.g. a rawjson line) that is not well-formed. */
  ProgressEvent: 'E_PROGRESS_EVENT',
  /** Build context problems: a COPY/ADD source that does not exist, an unreadable context or Dockerfile. */
  Context: 'E_CONTEXT',
  /** A registry configuration file (registries.conf, kiln's registries.json) that cannot be read or parsed. */
  RegistryConfig: 'E_REGISTRY_CONFIG',
  /** A registry (or repository) marked `blocked` in the registry configuration. */
  RegistryBlocked: 'E_REGISTRY_BLOCKED',
  /** The kiln-idshift helper (single-id chown/stat emulation) cannot be built or does not work here. */
  IdShift: 'E_IDSHIFT',
  /** `ADD <git url>`: a refused URL, ref or subdir, an unreachable remote, a ref that does not exist. */
  Git: 'E_GIT',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface KilnErrorOptions {
  readonly cause?: unknown;
  readonly location?: SourceLocation;
  /** A short, actionable suggestion shown under the message. */
  readonly hint?: string;
}

export class KilnError extends Error {
  readonly code: ErrorCodeValue;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCodeValue, message: string, options: KilnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KilnError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

export function isKilnError(value: unknown): value is KilnError {
  return value instanceof KilnError;
}

/** Exhaustiveness helper for `switch` over tagged unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new KilnError(ErrorCode.Internal, `unexpected ${what}: ${JSON.stringify(value)}`);
}
