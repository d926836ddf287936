/**
 * Masks secrets in RUN output before it reaches progress output or logs: every form of every secret
 * (see secret-forms.ts) is replaced by `****`. Bytes are held back only while they could still be the
 * beginning of a match (the automaton's current depth, or a pending long-pattern candidate), so a
 * secret split across chunks — or across lines, for multi-line secrets — is still masked, and ordinary
 * output passes through without delay.
 */
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type MatchStream, MultiPatternMatcher } from './multi-pattern-matcher.js';
import { type NamedSecret, secretPatterns } from './secret-forms.js';

export const MASK = '****';
const MASK_BYTES = Buffer.from(MASK);

/** One output stream's masking state: push bytes in, get the bytes that are safe to show. */
export class SecretMasker {
  readonly #stream: MatchStream | undefined;
  #held: Buffer = Buffer.alloc(0);
  /** Stream offset of `#held[0]`. */
  #emittedTo = 0;
  #redactions: { start: number; end: number }[] = [];

  /** `secrets` as NamedSecret or plain values; with no (long enough) secret, bytes pass through. */
  constructor(secrets: readonly (NamedSecret | Uint8Array)[]) {
    const named = secrets.map((s, i) => (s instanceof Uint8Array ? { id: `#${i}`, value: s } : s));
    const patterns = secretPatterns(named);
    if (patterns.length === 0) return;
    const matcher = new MultiPatternMatcher(patterns.map((p) => p.bytes));
    this.#stream = matcher.stream((m) => this.#redactions.push({ start: m.start, end: m.end }));
  }

  /** Feeds bytes; returns what can be released now (masked). */
  push(chunk: Uint8Array): Buffer {
    if (this.#stream === undefined) return Buffer.from(chunk);
    this.#held = this.#held.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#held, chunk]);
    this.#stream.write(chunk);
    return this.#release(this.#stream.holdFrom);
  }

  /** Releases everything still held (end of output). */
  flush(): Buffer {
    if (this.#stream === undefined) return Buffer.alloc(0);
    const out = this.#release(this.#stream.position);
    this.#stream.reset();
    return out;
  }

  #release(safe: number): Buffer {
    const parts: Buffer[] = [];
    let cursor = this.#emittedTo;
    const raw = (from: number, to: number) => {
      if (to > from) parts.push(this.#held.subarray(from - this.#emittedTo, to - this.#emittedTo));
    };
    this.#redactions.sort((a, b) => a.start - b.start || b.end - a.end);
    const keep: { start: number; end: number }[] = [];
    for (const r of this.#redactions) {
      if (r.end <= cursor) continue;
      if (r.start >= safe) {
        keep.push(r);
        continue;
      }
      raw(cursor, r.start);
      parts.push(MASK_BYTES);
      cursor = Math.max(cursor, r.end, r.start);
    }
    if (cursor < safe) {
      raw(cursor, safe);
      cursor = safe;
    }
    this.#redactions = keep;
    this.#held = Buffer.from(this.#held.subarray(cursor - this.#emittedTo));
    this.#emittedTo = cursor;
    return Buffer.concat(parts);
  }
}

/** A Transform that masks secrets in a byte stream. */
export function maskingTransform(secrets: readonly (NamedSecret | Uint8Array)[]): Transform {
  const masker = new SecretMasker(secrets);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const out = masker.push(chunk);
      callback(null, out.length > 0 ? out : undefined);
    },
    flush(callback) {
      const out = masker.flush();
      callback(null, out.length > 0 ? out : undefined);
    },
  });
}

/** Line-oriented masking for the executor's `onStdout`/`onStderr` callbacks. */
export interface MaskedLines {
  /** One output line (without its newline). */
  line(text: string): void;
  /** Emits whatever is still held (call when the step ends). */
  end(): void;
}

/** Wraps a line callback: lines go out masked, in order, as soon as they cannot start a secret. */
export function maskLines(
  secrets: readonly (NamedSecret | Uint8Array)[],
  onLine: (line: string) => void,
): MaskedLines {
  const masker = new SecretMasker(secrets);
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const emit = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    const text = partial + decoder.write(bytes);
    const lines = text.split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  };
  return {
    line: (text) => emit(masker.push(Buffer.from(`${text}\n`, 'utf8'))),
    end: () => {
      emit(masker.flush());
      partial += decoder.end();
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}
