/**
 * Matching compiled shell patterns against text without backtracking: a position-set simulation of
 * the pattern's automaton, O(text × pattern) time. Text is an array of code points.
 *
 * The results equal those of the Go regular expressions BuildKit compiles (leftmost-first): for
 * patterns made only of literals, `.` and all-greedy or all-lazy `.*`, the first match in priority
 * order is the longest (greedy) or shortest (lazy) one at the leftmost possible start.
 */
import { assertNever } from '../../errors.js';
import type { PatternToken, ShellPattern } from './pattern.js';

/** A match as code point offsets: `text.slice(start, end)`. */
export interface PatternMatch {
  readonly start: number;
  readonly end: number;
}

const NONE = -1;

/**
 * Length of the shortest (`longest` false) or longest prefix of `text` the pattern matches,
 * or undefined when no prefix matches.
 */
export function matchPrefix(
  pattern: ShellPattern,
  text: readonly string[],
  longest: boolean,
): number | undefined {
  const tokens = pattern.tokens;
  const accept = tokens.length;
  let current = new Uint8Array(accept + 1);
  let next = new Uint8Array(accept + 1);
  addState(tokens, current, 0);
  let best: number | undefined;
  for (let pos = 0; ; pos++) {
    if (current[accept] === 1) {
      best = pos;
      if (!longest) return best;
    }
    const ch = text[pos];
    if (ch === undefined) return best;
    next.fill(0);
    let alive = false;
    for (let state = 0; state < accept; state++) {
      if (current[state] !== 1) continue;
      const target = step(tokens[state]!, state, ch);
      if (target !== NONE) {
        addState(tokens, next, target);
        alive = true;
      }
    }
    if (!alive) return best;
    [current, next] = [next, current];
  }
}

/**
 * The leftmost match starting at or after `from`, longest at that start (BuildKit's greedy
 * unanchored search); undefined when there is none.
 */
export function findLeftmostLongest(
  pattern: ShellPattern,
  text: readonly string[],
  from: number,
): PatternMatch | undefined {
  const tokens = pattern.tokens;
  const accept = tokens.length;
  // For each state: the smallest start offset of a thread in it (NONE when empty).
  let current = new Int32Array(accept + 1).fill(NONE);
  let next = new Int32Array(accept + 1).fill(NONE);
  let bestStart = NONE;
  let bestEnd = NONE;
  for (let pos = from; ; pos++) {
    if (bestStart === NONE) addStart(tokens, current, 0, pos);
    const acceptedStart = current[accept]!;
    if (acceptedStart !== NONE && (bestStart === NONE || acceptedStart <= bestStart)) {
      bestStart = acceptedStart;
      bestEnd = pos;
      for (let state = 0; state <= accept; state++) {
        if (current[state]! > bestStart) current[state] = NONE;
      }
    }
    const ch = text[pos];
    if (ch === undefined) break;
    next.fill(NONE);
    let alive = false;
    for (let state = 0; state < accept; state++) {
      const start = current[state]!;
      if (start === NONE) continue;
      const target = step(tokens[state]!, state, ch);
      if (target !== NONE) {
        addStart(tokens, next, target, start);
        alive = true;
      }
    }
    if (!alive && bestStart !== NONE) break;
    [current, next] = [next, current];
  }
  return bestStart === NONE ? undefined : { start: bestStart, end: bestEnd };
}

/** The state reached from `state` by reading `ch`, or NONE. */
function step(token: PatternToken, state: number, ch: string): number {
  switch (token.kind) {
    case 'literal':
      return token.char === ch ? state + 1 : NONE;
    case 'any':
      return ch === '\n' ? NONE : state + 1;
    case 'star':
      return ch === '\n' ? NONE : state;
    default:
      return assertNever(token, 'pattern token');
  }
}

/** Marks `state` and every state reachable from it by skipping `*` tokens. */
function addState(tokens: readonly PatternToken[], set: Uint8Array, state: number): void {
  for (let s = state; ; s++) {
    set[s] = 1;
    if (tokens[s]?.kind !== 'star') return;
  }
}

/** Like addState, keeping for each state the smallest start offset. */
function addStart(tokens: readonly PatternToken[], set: Int32Array, state: number, start: number): void {
  for (let s = state; ; s++) {
    const existing = set[s]!;
    if (existing !== NONE && existing <= start) return;
    set[s] = start;
    if (tokens[s]?.kind !== 'star') return;
  }
}
