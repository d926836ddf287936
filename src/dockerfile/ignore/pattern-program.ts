/**
 * Runs parsed pattern tokens as a Thompson NFA over the path's code points: time is
 * O(path length × pattern length) for every pattern, so hostile patterns cannot cause
 * exponential backtracking.
 */
import { assertNever } from '../../errors.js';
import { type PatternToken, SEPARATOR_CODE_POINT } from './pattern-syntax.js';

interface Node {
  /** States reached by consuming `codePoint` from this state (empty when it does not match). */
  readonly step: (codePoint: number) => readonly number[];
  /** States reached without consuming input. */
  readonly epsilon: readonly number[];
}

const NONE: readonly number[] = [];

function classMatches(token: Extract<PatternToken, { kind: 'class' }>, codePoint: number): boolean {
  const inside = token.ranges.some((r) => r.lo <= codePoint && codePoint <= r.hi);
  return inside !== token.negated;
}

function buildNodes(tokens: readonly PatternToken[]): readonly Node[] {
  const nodes: Node[] = [];
  for (const token of tokens) {
    const here = nodes.length;
    switch (token.kind) {
      case 'literal':
        nodes.push({ step: (c) => (c === token.codePoint ? [here + 1] : NONE), epsilon: NONE });
        break;
      case 'one':
        nodes.push({ step: (c) => (c !== SEPARATOR_CODE_POINT ? [here + 1] : NONE), epsilon: NONE });
        break;
      case 'class':
        nodes.push({ step: (c) => (classMatches(token, c) ? [here + 1] : NONE), epsilon: NONE });
        break;
      case 'star':
        nodes.push({ step: (c) => (c !== SEPARATOR_CODE_POINT ? [here] : NONE), epsilon: [here + 1] });
        break;
      case 'anyRest':
        nodes.push({ step: () => [here], epsilon: [here + 1] });
        break;
      case 'anyDirs':
        // (.*/)? : either skip, or enter a loop that leaves only right after a '/'.
        nodes.push({ step: () => NONE, epsilon: [here + 1, here + 2] });
        nodes.push({
          step: (c) => (c === SEPARATOR_CODE_POINT ? [here + 1, here + 2] : [here + 1]),
          epsilon: NONE,
        });
        break;
      default:
        return assertNever(token, 'pattern token');
    }
  }
  nodes.push({ step: () => NONE, epsilon: NONE });
  return nodes;
}

/** A compiled whole-string matcher for one pattern. */
export interface PatternProgram {
  test(path: string): boolean;
  /**
   * Whether the pattern matches `path` or one of its prefixes that ends right before a `/` — every
   * parent of a clean path — in one pass over `path` (the state set after a prefix says whether
   * that prefix matches), so deep paths cost O(length × pattern), not O(length² × pattern).
   */
  testSelfOrPrefixes(path: string): boolean;
}

/** Compiles tokens into a matcher for the whole path (anchored at both ends). */
export function compileProgram(tokens: readonly PatternToken[]): PatternProgram {
  const nodes = buildNodes(tokens);
  const accept = nodes.length - 1;

  const addClosure = (set: Uint8Array, list: number[], state: number): void => {
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (set[s] === 1) continue;
      set[s] = 1;
      list.push(s);
      for (const e of nodes[s]!.epsilon) stack.push(e);
    }
  };

  const run = (path: string, acceptPrefixes: boolean): boolean => {
    let set = new Uint8Array(nodes.length);
    let list: number[] = [];
    addClosure(set, list, 0);
    for (const ch of path) {
      const codePoint = ch.codePointAt(0)!;
      if (acceptPrefixes && codePoint === SEPARATOR_CODE_POINT && set[accept] === 1) return true;
      const nextSet = new Uint8Array(nodes.length);
      const nextList: number[] = [];
      for (const s of list) {
        for (const t of nodes[s]!.step(codePoint)) addClosure(nextSet, nextList, t);
      }
      if (nextList.length === 0) return false;
      set = nextSet;
      list = nextList;
    }
    return set[accept] === 1;
  };

  return {
    test: (path) => run(path, false),
    testSelfOrPrefixes: (path) => run(path, true),
  };
}
