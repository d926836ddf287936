/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header may hold several challenges, parameters are
 * tokens or quoted strings, and quoted values may contain commas, `=` and backslash escapes.
 */

/** A parsed authentication challenge. Parameter names are lowercased; values are unquoted. */
export type AuthChallenge =
  | { readonly kind: 'basic'; readonly params: Readonly<Record<string, string>> }
  | {
      readonly kind: 'bearer';
      readonly realm: string;
      readonly service: string | undefined;
      /** Space-separated scopes the registry asked for, split. */
      readonly scopes: readonly string[];
      readonly params: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'other'; readonly scheme: string; readonly params: Readonly<Record<string, string>> };

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

interface Cursor {
  readonly text: string;
  pos: number;
}

function skip(cursor: Cursor, chars: string): void {
  while (cursor.pos < cursor.text.length && chars.includes(cursor.text[cursor.pos]!)) cursor.pos += 1;
}

function readToken(cursor: Cursor): string {
  const start = cursor.pos;
  while (cursor.pos < cursor.text.length && TOKEN_CHAR.test(cursor.text[cursor.pos]!)) cursor.pos += 1;
  return cursor.text.slice(start, cursor.pos);
}

function readQuoted(cursor: Cursor): string {
  // cursor is on the opening quote
  cursor.pos += 1;
  let out = '';
  while (cursor.pos < cursor.text.length) {
    const ch = cursor.text[cursor.pos]!;
    cursor.pos += 1;
    if (ch === '"') return out;
    if (ch === '\\' && cursor.pos < cursor.text.length) {
      out += cursor.text[cursor.pos]!;
      cursor.pos += 1;
      continue;
    }
    out += ch;
  }
  return out; // unterminated: be lenient, take the rest
}

function readValue(cursor: Cursor): string {
  if (cursor.text[cursor.pos] === '"') return readQuoted(cursor);
  const start = cursor.pos;
  while (cursor.pos < cursor.text.length && !', \t'.includes(cursor.text[cursor.pos]!)) cursor.pos += 1;
  return cursor.text.slice(start, cursor.pos);
}

/** Reads the parameters after a scheme; stops before the next challenge's scheme. */
function readParams(cursor: Cursor): Record<string, string> {
  const params: Record<string, string> = {};
  for (;;) {
    skip(cursor, ' \t,');
    const saved = cursor.pos;
    const name = readToken(cursor);
    if (name === '') return params;
    skip(cursor, ' \t');
    if (cursor.text[cursor.pos] !== '=') {
      cursor.pos = saved; // a new scheme (or a token68 we do not use)
      return params;
    }
    cursor.pos += 1;
    skip(cursor, ' \t');
    params[name.toLowerCase()] = readValue(cursor);
  }
}

function toChallenge(scheme: string, params: Record<string, string>): AuthChallenge {
  const lower = scheme.toLowerCase();
  if (lower === 'basic') return { kind: 'basic', params };
  if (lower === 'bearer' && params.realm) {
    return {
      kind: 'bearer',
      realm: params.realm,
      service: params.service,
      scopes: (params.scope ?? '').split(' ').filter((s) => s !== ''),
      params,
    };
  }
  return { kind: 'other', scheme: lower, params };
}

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. Never throws. */
export function parseChallenges(header: string | readonly string[] | undefined): readonly AuthChallenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: AuthChallenge[] = [];
  for (const text of values) {
    const cursor: Cursor = { text, pos: 0 };
    for (;;) {
      skip(cursor, ' \t,');
      const scheme = readToken(cursor);
      if (scheme === '') {
        // skip a character we do not understand and go on
        if (cursor.pos >= text.length) break;
        cursor.pos += 1;
        continue;
      }
      skip(cursor, ' \t');
      out.push(toChallenge(scheme, readParams(cursor)));
    }
  }
  return out;
}

/** The challenge kiln should answer: Bearer before Basic; undefined when none is usable. */
export function pickChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.kind === 'bearer') ?? challenges.find((c) => c.kind === 'basic');
}
