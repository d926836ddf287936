/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of a Dockerfile, with BuildKit's
 * rules: only before any instruction, blank line or other comment; names case-insensitive; each at most
 * once; an unknown directive ends the directive section and stays an ordinary comment.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { goTrimLeftSpace, isPerlSpace } from './go-text.js';

/** The directive names BuildKit knows. */
export const DIRECTIVE_NAMES: ReadonlySet<string> = new Set(['syntax', 'escape', 'check']);

export interface Directive {
  /** Lowercased name. */
  readonly name: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** A found directive as BuildKit's DetectSyntax/ParseDirective report it. */
export interface DetectedDirective {
  /** The value up to the first space (`docker/dockerfile:1` of `docker/dockerfile:1 // opts`). */
  readonly ref: string;
  /** The whole value. */
  readonly cmdline: string;
  /** 1-based line (a shebang line counts); 0 for the JSON form without a shebang. */
  readonly line: number;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` matched by hand (the regular expression is quadratic on long
 * runs of whitespace). Returns the raw name and value.
 */
export function matchDirectiveBody(
  body: string,
): { readonly name: string; readonly value: string } | undefined {
  if (body.length === 0 || !isAsciiLetter(body.charCodeAt(0))) return undefined;
  let i = 1;
  while (i < body.length && (isAsciiLetter(body.charCodeAt(i)) || isAsciiDigit(body.charCodeAt(i)))) i++;
  const name = body.slice(0, i);
  while (i < body.length && isPerlSpace(body[i])) i++;
  if (body[i] !== '=') return undefined;
  const afterEquals = body.slice(i + 1);
  if (afterEquals.includes('\n') || afterEquals.length === 0) return undefined;
  let start = 0;
  while (start < afterEquals.length && isPerlSpace(afterEquals[start])) start++;
  if (start === afterEquals.length) {
    // All whitespace: the lazy value still needs one character, so it takes the last one.
    return { name, value: afterEquals.slice(-1) };
  }
  let end = afterEquals.length;
  while (end > start && isPerlSpace(afterEquals[end - 1])) end--;
  return { name, value: afterEquals.slice(start, end) };
}

/**
 * The state of directive parsing over successive lines (BuildKit's DirectiveParser). Create one per
 * parse; it is never shared.
 */
export class DirectiveScanner {
  readonly #prefix: string;
  readonly #seen = new Set<string>();
  #line: number;
  #done = false;

  constructor(options: { readonly prefix?: string; readonly firstLine?: number } = {}) {
    this.#prefix = options.prefix ?? '#';
    this.#line = options.firstLine ?? 0;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Feeds the next line. Returns the directive it holds, or undefined (and the section ends) when it
   * holds none. Throws KilnError(E_DOCKERFILE_SYNTAX) for a repeated directive.
   */
  parseLine(line: string): Directive | undefined {
    this.#line++;
    if (this.#done) return undefined;
    if (!line.startsWith(this.#prefix)) {
      this.#done = true;
      return undefined;
    }
    const match = matchDirectiveBody(goTrimLeftSpace(line.slice(this.#prefix.length)));
    const name = match?.name.toLowerCase();
    if (match === undefined || name === undefined || !DIRECTIVE_NAMES.has(name)) {
      this.#done = true;
      return undefined;
    }
    if (this.#seen.has(name)) {
      throw new KilnError(ErrorCode.DockerfileSyntax, `only one ${name} parser directive can be used`);
    }
    this.#seen.add(name);
    return { name, value: match.value, line: this.#line };
  }
}

/** Lines as Go's bufio.ScanLines yields them (`\n` separated, one trailing `\r` dropped). */
function* scanLines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(start, end);
    yield line.endsWith('\r') ? line.slice(0, -1) : line;
    start = end + 1;
  }
}

/**
 * All directives at the top of `text`, lines read as they are (BuildKit's DirectiveParser.ParseAll).
 * Throws for a repeated directive.
 */
export function parseDirectives(
  text: string,
  options: { readonly prefix?: string; readonly firstLine?: number } = {},
): Directive[] {
  const scanner = new DirectiveScanner(options);
  const found: Directive[] = [];
  for (const line of scanLines(text)) {
    if (scanner.done) break;
    const directive = scanner.parseLine(line);
    if (directive !== undefined) found.push(directive);
  }
  return found;
}

function splitRef(value: string): string {
  const space = value.indexOf(' ');
  return space === -1 ? value : value.slice(0, space);
}

function findDirective(
  key: string,
  text: string,
  prefix: string,
  firstLine: number,
): DetectedDirective | undefined {
  let directives: Directive[];
  try {
    directives = parseDirectives(text, { prefix, firstLine });
  } catch {
    directives = []; // BuildKit ignores the error here and keeps what was found before it
  }
  const found = directives.find((d) => d.name === key);
  return found === undefined
    ? undefined
    : { ref: splitRef(found.value), cmdline: found.value, line: found.line };
}

function findJsonDirective(key: string, text: string, line: number): DetectedDirective | undefined {
  if (!goTrimLeftSpace(text).startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const value: unknown = Object.hasOwn(parsed, key) ? (parsed as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? { ref: value, cmdline: value, line } : undefined;
}

function locateDirective(key: string, source: string, anyFormat: boolean): DetectedDirective | undefined {
  let text = source.startsWith('\ufeff') ? source.slice(1) : source;
  let line = 0;
  const firstNewline = text.indexOf('\n');
  const firstLine = firstNewline === -1 ? text : text.slice(0, firstNewline);
  if (firstLine.startsWith('#!')) {
    text = firstNewline === -1 ? '' : text.slice(firstNewline + 1);
    line = 1;
  }
  const hashed = findDirective(key, text, '#', line);
  if (hashed !== undefined || !anyFormat) return hashed;
  return findDirective(key, text, '//', line) ?? findJsonDirective(key, text, line);
}

/**
 * The `syntax` directive as BuildKit's DetectSyntax finds it: a BOM and a `#!` shebang line are skipped,
 * and `// syntax=` lines or a JSON document `{"syntax": "..."}` are accepted too.
 */
export function detectSyntax(text: string): DetectedDirective | undefined {
  return locateDirective('syntax', text, true);
}

/** Any directive (e.g. `check`) as BuildKit's ParseDirective finds it: `#` comments only, shebang skipped. */
export function parseDirective(key: string, text: string): DetectedDirective | undefined {
  return locateDirective(key, text, false);
}
