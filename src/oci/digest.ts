/**
 * Content digests (`algorithm:hex`) and streaming verification.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';

/** A validated digest string such as `sha256:ab12…`. */
export type Digest = string & { readonly __brand: 'Digest' };

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
}

/** Parses and validates a digest; only sha256 and sha512 are accepted, lowercase hex only. */
export function parseDigest(value: string): ParsedDigest {
  if (!DIGEST_RE.test(value)) {
    throw new KilnError(ErrorCode.InvalidDigest, `invalid digest ${JSON.stringify(value)}`);
  }
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (length === undefined) {
    throw new KilnError(ErrorCode.InvalidDigest, `unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new KilnError(
      ErrorCode.InvalidDigest,
      `invalid ${algorithm} digest ${JSON.stringify(value)}: want ${length} lowercase hex characters`,
    );
  }
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

export function isDigest(value: string): value is Digest {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

export function asDigest(value: string): Digest {
  parseDigest(value);
  return value as Digest;
}

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** Incremental digester for one algorithm. */
export class Digester {
  readonly algorithm: ParsedDigest['algorithm'];
  #hash: Hash;
  #size = 0;

  constructor(algorithm: ParsedDigest['algorithm'] = 'sha256') {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
  }

  get size(): number {
    return this.#size;
  }

  digest(): Digest {
    return `${this.algorithm}:${this.#hash.digest('hex')}` as Digest;
  }
}

export interface VerifyOptions {
  readonly digest: Digest;
  /** Expected size in bytes; when given, a longer or shorter stream fails. */
  readonly size?: number;
  /** Hard upper bound in bytes even when no size is expected (oversized inputs are refused). */
  readonly maxSize?: number;
}

/**
 * A pass-through stream that fails (with E_DIGEST_MISMATCH / E_TOO_LARGE) when the bytes that went
 * through do not match the expected digest and size. Failure is reported at the end of the stream,
 * or as soon as the size is exceeded, so callers must treat the output as untrusted until `finish`.
 */
export function verifyingStream(options: VerifyOptions): Transform {
  const { algorithm } = parseDigest(options.digest);
  const digester = new Digester(algorithm);
  const limit = options.size ?? options.maxSize;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      digester.update(chunk);
      if (limit !== undefined && digester.size > limit) {
        const code = options.size !== undefined ? ErrorCode.DigestMismatch : ErrorCode.TooLarge;
        callback(new KilnError(code, `content for ${options.digest} is larger than ${limit} bytes`));
        return;
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (options.size !== undefined && digester.size !== options.size) {
        callback(
          new KilnError(
            ErrorCode.DigestMismatch,
            `content for ${options.digest} has ${digester.size} bytes, expected ${options.size}`,
          ),
        );
        return;
      }
      const actual = digester.digest();
      if (actual !== options.digest) {
        callback(
          new KilnError(
            ErrorCode.DigestMismatch,
            `digest mismatch: expected ${options.digest}, got ${actual}`,
          ),
        );
        return;
      }
      callback();
    },
  });
}
