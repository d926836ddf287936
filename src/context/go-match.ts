/**
 * Go `path/filepath.Match` for `/`-separated paths, as BuildKit uses it to resolve COPY/ADD wildcards:
 * `*` is any run of non-`/` characters, `?` one non-`/` character, `[...]` a class (`^` negates,
 * `a-z` ranges, `\` escapes), `\x` a literal `x`. Unlike .dockerignore patterns, `**` is just two stars.
 */

type Token =
  | { readonly kind: 'literal'; readonly char: string }
  | { readonly kind: 'one' }
  | { readonly kind: 'star' }
  | {
      readonly kind: 'class';
      readonly negated: boolean;
      readonly ranges: readonly (readonly [number, number])[];
    };

/** A compiled pattern; `undefined` from `compileGoPattern` means the pattern is malformed. */
export interface GoPattern {
  test(name: string): boolean;
}

function readClass(chars: readonly string[], start: number): { token: Token; next: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: (readonly [number, number])[] = [];
  const readChar = (): number | undefined => {
    let c = chars[i];
    if (c === undefined || c === '-' || c === ']') return undefined;
    if (c === '\\') {
      i++;
      c = chars[i];
      if (c === undefined) return undefined;
    }
    i++;
    return c.codePointAt(0)!;
  };
  for (;;) {
    if (chars[i] === ']' && ranges.length > 0)
      return { token: { kind: 'class', negated, ranges }, next: i + 1 };
    const lo = readChar();
    if (lo === undefined) return undefined;
    let hi = lo;
    if (chars[i] === '-') {
      i++;
      const end = readChar();
      if (end === undefined) return undefined;
      hi = end;
    }
    if (chars[i] === undefined) return undefined;
    ranges.push([lo, hi]);
  }
}

function tokenize(pattern: string): readonly Token[] | undefined {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
      i++;
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) return undefined;
      tokens.push({ kind: 'literal', char: next });
      i += 2;
    } else if (c === '[') {
      const cls = readClass(chars, i);
      if (cls === undefined) return undefined;
      tokens.push(cls.token);
      i = cls.next;
    } else {
      tokens.push({ kind: 'literal', char: c });
      i++;
    }
  }
  return tokens;
}

function stepMatches(token: Token, char: string): boolean {
  switch (token.kind) {
    case 'literal':
      return token.char === char;
    case 'one':
      return char !== '/';
    case 'class': {
      if (char === '/') return false;
      const cp = char.codePointAt(0)!;
      const inside = token.ranges.some(([lo, hi]) => lo <= cp && cp <= hi);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

/** Compiles a pattern; returns `undefined` for malformed patterns (Go's ErrBadPattern). */
export function compileGoPattern(pattern: string): GoPattern | undefined {
  const tokens = tokenize(pattern);
  if (tokens === undefined) return undefined;
  return {
    test(name: string): boolean {
      // Set-of-positions simulation: O(name × pattern), no backtracking blow-up.
      let states = new Set<number>([0]);
      const close = (set: Set<number>): Set<number> => {
        for (const s of set) if (tokens[s]?.kind === 'star') set.add(s + 1);
        return set;
      };
      states = close(states);
      for (const char of name) {
        const next = new Set<number>();
        for (const s of states) {
          const token = tokens[s];
          if (token === undefined) continue;
          if (token.kind === 'star') {
            if (char !== '/') next.add(s);
          } else if (stepMatches(token, char)) next.add(s + 1);
        }
        if (next.size === 0) return false;
        states = close(next);
      }
      return states.has(tokens.length);
    },
  };
}

/** BuildKit's `containsWildcards`: an unescaped `*`, `?` or `[`. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}
