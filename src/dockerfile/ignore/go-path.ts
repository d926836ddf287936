/**
 * Lexical path helpers with Go `path/filepath` semantics on a `/`-separated system, so that
 * pattern and path normalisation matches what docker / BuildKit do byte for byte.
 */

/** Go `filepath.Clean`: shortest equivalent path by purely lexical processing (`""` → `.`). */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go `filepath.Dir`: everything but the last element, cleaned (`file` → `.`, `/` → `/`). */
export function goDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return goClean(path.slice(0, slash + 1));
}

/** Go `strings.TrimSpace` (Unicode White_Space; unlike `String.prototype.trim`, keeps U+FEFF). */
export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACE_START, '').replace(GO_SPACE_END, '');
}

const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE_START = new RegExp(`^[${GO_SPACE}]+`);
const GO_SPACE_END = new RegExp(`[${GO_SPACE}]+$`);
