/**
 * A streaming multi-pattern byte matcher: Aho-Corasick compiled to a dense DFA over byte classes
 * (only bytes that occur in some pattern get their own column), fed chunk by chunk, so a match that
 * spans chunk boundaries is found like any other.
 *
 * Patterns longer than `anchorLength` are matched by their first `anchorLength` bytes in the automaton
 * and then verified byte by byte as the stream continues ("pending" candidates), which keeps the
 * automaton small for large secrets (up to 500 KiB) while every reported match is still exact.
 */

/** A match: pattern index and its position in the stream ([start, end), byte offsets). */
export interface PatternMatch {
  readonly pattern: number;
  readonly start: number;
  readonly end: number;
}

export interface MatcherOptions {
  /** Longest prefix of a pattern put into the automaton (default 64). */
  readonly anchorLength?: number;
  /** Most candidates of long patterns tracked at once (default 4096; beyond, the oldest are verified first). */
  readonly maxPending?: number;
}

/** A compiled, immutable pattern set; `stream()` starts a scan. */
export class MultiPatternMatcher {
  readonly patterns: readonly Uint8Array[];
  readonly #classes: Uint16Array;
  readonly #classCount: number;
  readonly #delta: Int32Array;
  /** Pattern indices ending at each state (own and via failure links); empty for most states. */
  readonly #out: readonly (readonly number[])[];
  readonly #hasOut: Uint8Array;
  readonly #depth: Int32Array;
  readonly #anchor: number;
  readonly #maxPending: number;

  constructor(patterns: readonly Uint8Array[], options: MatcherOptions = {}) {
    this.patterns = patterns;
    this.#anchor = Math.max(1, options.anchorLength ?? 64);
    this.#maxPending = options.maxPending ?? 4096;
    for (const p of patterns) if (p.length === 0) throw new RangeError('empty pattern');
    // Byte classes: class 0 = bytes in no pattern.
    const classes = new Uint16Array(256);
    let classCount = 1;
    for (const p of patterns) {
      const n = Math.min(p.length, this.#anchor);
      for (let i = 0; i < n; i++) if (classes[p[i]!] === 0) classes[p[i]!] = classCount++;
    }
    this.#classes = classes;
    this.#classCount = classCount;
    // Trie.
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    const depth: number[] = [0];
    patterns.forEach((p, index) => {
      let s = 0;
      const n = Math.min(p.length, this.#anchor);
      for (let i = 0; i < n; i++) {
        const c = classes[p[i]!]!;
        let next = children[s]!.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          depth.push(depth[s]! + 1);
          children[s]!.set(c, next);
        }
        s = next;
      }
      own[s]!.push(index);
    });
    const states = children.length;
    const delta = new Int32Array(states * classCount);
    const fail = new Int32Array(states);
    const out: number[][] = own.map((o) => [...o]);
    const queue: number[] = [];
    for (const [c, next] of children[0]!) {
      delta[c] = next;
      queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      if (out[f]!.length > 0) out[s]!.push(...out[f]!);
      const row = s * classCount;
      const failRow = f * classCount;
      for (let c = 0; c < classCount; c++) {
        const next = children[s]!.get(c);
        if (next === undefined) {
          delta[row + c] = delta[failRow + c]!;
        } else {
          delta[row + c] = next;
          fail[next] = delta[failRow + c]!;
          queue.push(next);
        }
      }
    }
    this.#delta = delta;
    this.#out = out;
    this.#hasOut = Uint8Array.from(out, (o) => (o.length > 0 ? 1 : 0));
    this.#depth = Int32Array.from(depth);
  }

  /** Number of automaton states (for sizing decisions and benchmarks). */
  get stateCount(): number {
    return this.#depth.length;
  }

  /** Starts a new scan; every match is passed to `onMatch` (long patterns once verified). */
  stream(onMatch: (match: PatternMatch) => void): MatchStream {
    return new MatchStream(
      {
        classes: this.#classes,
        classCount: this.#classCount,
        delta: this.#delta,
        out: this.#out,
        hasOut: this.#hasOut,
        depth: this.#depth,
        anchor: this.#anchor,
        maxPending: this.#maxPending,
        patterns: this.patterns,
      },
      onMatch,
    );
  }

  /** All matches in one buffer (convenience for small inputs). */
  findAll(data: Uint8Array): PatternMatch[] {
    const found: PatternMatch[] = [];
    const s = this.stream((m) => found.push(m));
    s.write(data);
    s.end();
    return found;
  }
}

interface Compiled {
  readonly classes: Uint16Array;
  readonly classCount: number;
  readonly delta: Int32Array;
  readonly out: readonly (readonly number[])[];
  readonly hasOut: Uint8Array;
  readonly depth: Int32Array;
  readonly anchor: number;
  readonly maxPending: number;
  readonly patterns: readonly Uint8Array[];
}

interface Pending {
  readonly pattern: number;
  readonly start: number;
}

/** One scan in progress. */
export class MatchStream {
  readonly #m: Compiled;
  readonly #onMatch: (match: PatternMatch) => void;
  #state = 0;
  #position = 0;
  #pending: Pending[] = [];

  constructor(compiled: Compiled, onMatch: (match: PatternMatch) => void) {
    this.#m = compiled;
    this.#onMatch = onMatch;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.#position;
  }

  /**
   * The earliest stream offset that may still be part of a match not yet reported (the automaton's
   * current depth and pending long-pattern candidates); bytes before it can be released by a masker.
   */
  get holdFrom(): number {
    let from = this.#position - this.#m.depth[this.#state]!;
    for (const p of this.#pending) if (p.start < from) from = p.start;
    return from;
  }

  /** Forgets all partial matches (used after a masker replaced a match). */
  reset(): void {
    this.#state = 0;
    this.#pending = [];
  }

  write(chunk: Uint8Array): void {
    const { classes, classCount, delta, hasOut, out, patterns, anchor } = this.#m;
    const base = this.#position;
    const pendingBefore = this.#pending;
    const fresh: Pending[] = [];
    let s = this.#state;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      s = delta[s * classCount + classes[chunk[i]!]!]!;
      if (hasOut[s] === 1) {
        const end = base + i + 1;
        for (const pattern of out[s]!) {
          const len = patterns[pattern]!.length;
          if (len <= anchor) this.#onMatch({ pattern, start: end - len, end });
          else fresh.push({ pattern, start: end - anchor });
        }
      }
    }
    this.#state = s;
    this.#position = base + n;
    if (pendingBefore.length === 0 && fresh.length === 0) return;
    const still: Pending[] = [];
    for (const p of [...pendingBefore, ...fresh]) {
      const pattern = patterns[p.pattern]!;
      const end = p.start + pattern.length;
      // Next byte to verify: anchors were verified by the automaton.
      const verifiedTo = Math.max(p.start + anchor, base);
      const upTo = Math.min(end, this.#position);
      const a = chunk.subarray(verifiedTo - base, upTo - base);
      const b = pattern.subarray(verifiedTo - p.start, upTo - p.start);
      if (Buffer.compare(a, b) !== 0) continue;
      if (upTo === end) this.#onMatch({ pattern: p.pattern, start: p.start, end });
      else still.push(p);
    }
    // Bound memory on adversarial input (e.g. a long run of one byte matching a one-byte-run secret):
    // keep the oldest candidates, which are the closest to completion.
    this.#pending = still.length > this.#m.maxPending ? still.slice(0, this.#m.maxPending) : still;
  }

  /** Ends the scan (pending candidates cannot complete any more). */
  end(): void {
    this.#pending = [];
  }
}
