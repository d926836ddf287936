/**
 * Pull-based reading of exact byte counts from a chunked stream, with a cap on the total bytes read
 * (the decompression-bomb guard: it counts decompressed bytes).
 */
import { ErrorCode, KilnError } from '../../errors.js';

export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  readonly #maxTotal: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #consumed = 0;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>, maxTotal: number) {
    this.#source = source[Symbol.asyncIterator]();
    this.#maxTotal = maxTotal;
  }

  /** Bytes handed out so far. */
  get consumed(): number {
    return this.#consumed;
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (this.#consumed + this.#pendingBytes + chunk.length > this.#maxTotal) {
      throw new KilnError(
        ErrorCode.TooLarge,
        `archive is larger than the limit of ${this.#maxTotal} bytes (decompression bomb?)`,
      );
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    return true;
  }

  #take(n: number): Buffer {
    const first = this.#pending[0]!;
    if (first.length > n) {
      this.#pending[0] = first.subarray(n);
      this.#pendingBytes -= n;
      this.#consumed += n;
      return first.subarray(0, n);
    }
    this.#pending.shift();
    this.#pendingBytes -= first.length;
    this.#consumed += first.length;
    return first;
  }

  /** Exactly `n` bytes, or fewer only when the stream ended (the caller decides if that is an error). */
  async read(n: number): Promise<Buffer> {
    while (this.#pendingBytes < n && (await this.#fill())) {}
    const parts: Buffer[] = [];
    let want = Math.min(n, this.#pendingBytes);
    while (want > 0) {
      const part = this.#take(want);
      parts.push(part);
      want -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Yields the next `n` bytes as they arrive; throws `onShort()` if the stream ends first. */
  async *stream(n: number, onShort: () => Error): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#pendingBytes === 0 && !(await this.#fill())) throw onShort();
      const part = this.#take(Math.min(left, this.#pendingBytes));
      left -= part.length;
      yield part;
    }
  }

  /** Discards the next `n` bytes; throws `onShort()` if the stream ends first. */
  async skip(n: number, onShort: () => Error): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.#pendingBytes === 0 && !(await this.#fill())) throw onShort();
      left -= this.#take(Math.min(left, this.#pendingBytes)).length;
    }
  }

  /** Reads and discards everything that is left (so upstream verifiers see the whole input). */
  async drain(): Promise<void> {
    for (;;) {
      this.#consumed += this.#pendingBytes;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (!(await this.#fill())) return;
    }
  }
}
