/**
 * Per-keyword argument parsing (BuildKit's dispatch table in parser.go / line_parsers.go). Turns one
 * logical instruction line into keyword, flags and arguments; no line numbers here.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { goQuote } from './go-quote.js';
import { codePointAt, goToLower, isGoSpace } from './go-text.js';
import { parseJsonArray } from './json-array.js';
import { ASCII_WHITESPACE_RUN, splitCommand } from './split-command.js';
import { type EscapeToken, parseWords } from './words.js';

/** An instruction before source ranges, comments and heredoc bodies are attached. */
export interface ParsedLine {
  readonly keyword: string;
  readonly keywordAsWritten: string;
  readonly flags: readonly string[];
  readonly args: readonly string[];
  readonly json: boolean;
  readonly child?: ParsedLine;
  readonly original: string;
}

interface Arguments {
  readonly args: readonly string[];
  readonly json: boolean;
}

type ArgumentParser = (rest: string, escapeToken: EscapeToken) => Arguments;

const NONE: Arguments = { args: [], json: false };

function syntaxError(message: string): KilnError {
  return new KilnError(ErrorCode.DockerfileSyntax, message);
}

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/** Words split at runs of ASCII whitespace (`[\t\v\f\r ]+`), quotes kept. */
export function parseStringsWhitespaceDelimited(rest: string): string[] {
  return rest === '' ? [] : rest.split(ASCII_WHITESPACE_RUN);
}

/**
 * ENV/LABEL arguments as a flat list of triples `key, value, separator`: `=` for `k=v` pairs, `` for the
 * legacy `KEY name value` form whose value is the rest of the line. Throws KilnError for a missing value
 * or a word without `=`.
 */
export function parseNameVal(rest: string, key: string, escapeToken: EscapeToken = '\\'): string[] {
  const words = parseWords(rest, escapeToken);
  const [first] = words;
  if (first === undefined) return [];
  if (!first.includes('=')) {
    const match = ASCII_WHITESPACE_RUN.exec(rest);
    if (match === null) throw syntaxError(`${key} must have two arguments`);
    return [rest.slice(0, match.index), rest.slice(match.index + match[0].length), ''];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq === -1) {
      throw syntaxError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    out.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return out;
}

/** A JSON string array (exec form), else `fallback(rest)`; a JSON array of non-strings is an error. */
function parseJsonOr(rest: string, fallback: (rest: string) => readonly string[]): Arguments {
  const parsed = parseJsonArray(rest);
  switch (parsed.kind) {
    case 'strings':
      return { args: parsed.values, json: true };
    case 'not-strings':
      throw syntaxError(NOT_STRING_ARRAY);
    case 'invalid':
      return { args: fallback(rest), json: false };
  }
}

function parseMaybeJson(rest: string): Arguments {
  return rest === '' ? NONE : parseJsonOr(rest, (text) => [text]);
}

function parseMaybeJsonToList(rest: string): Arguments {
  return parseJsonOr(rest, parseStringsWhitespaceDelimited);
}

/** HEALTHCHECK: a type word (`CMD`, `NONE`, ...) then the command, parsed like CMD. */
function parseHealthConfig(rest: string): Arguments {
  let sep = 0;
  while (sep < rest.length) {
    const { cp, width } = codePointAt(rest, sep);
    if (isGoSpace(cp)) break;
    sep += width;
  }
  if (sep === 0) return NONE;
  let next = sep;
  while (next < rest.length) {
    const { cp, width } = codePointAt(rest, next);
    if (!isGoSpace(cp)) break;
    next += width;
  }
  const command = parseMaybeJson(rest.slice(next));
  return { args: [rest.slice(0, sep), ...command.args], json: command.json };
}

const DISPATCH: Readonly<Record<string, ArgumentParser>> = {
  add: parseMaybeJsonToList,
  arg: (rest, escapeToken) => ({ args: parseWords(rest, escapeToken), json: false }),
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: (rest, escapeToken) => ({ args: parseNameVal(rest, 'ENV', escapeToken), json: false }),
  expose: (rest) => ({ args: parseStringsWhitespaceDelimited(rest), json: false }),
  from: (rest) => ({ args: parseStringsWhitespaceDelimited(rest), json: false }),
  healthcheck: parseHealthConfig,
  label: (rest, escapeToken) => ({ args: parseNameVal(rest, 'LABEL', escapeToken), json: false }),
  maintainer: (rest) => ({ args: rest === '' ? [] : [rest], json: false }),
  // ONBUILD with a trigger is handled by parseLine (iteratively, so nesting cannot overflow the stack).
  onbuild: () => NONE,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: (rest) => ({ args: rest === '' ? [] : [rest], json: false }),
  user: (rest) => ({ args: rest === '' ? [] : [rest], json: false }),
  volume: parseMaybeJsonToList,
  workdir: (rest) => ({ args: rest === '' ? [] : [rest], json: false }),
};

/** Unknown keywords keep no arguments but one empty value, as BuildKit's parseIgnore. */
const parseUnknown: ArgumentParser = () => ({ args: [''], json: false });

/** True when `keyword` (lowercase) is one BuildKit's parser has an argument rule for. */
export function isKnownKeyword(keyword: string): boolean {
  return Object.hasOwn(DISPATCH, keyword);
}

type LineHead = Omit<ParsedLine, 'args' | 'json' | 'child'>;

/**
 * Parses one logical line (continuations already joined): keyword, flags, and the arguments by the
 * keyword's rule; `ONBUILD <instruction>` nests the instruction as `child`. Throws
 * KilnError(E_DOCKERFILE_SYNTAX) without location; the caller adds it.
 */
export function parseLine(line: string, escapeToken: EscapeToken): ParsedLine {
  const heads: LineHead[] = [];
  let current = line;
  let innermost: Arguments;
  for (;;) {
    const { command, flags, args } = splitCommand(current);
    const keyword = goToLower(command);
    heads.push({ keyword, keywordAsWritten: command, flags, original: current });
    if (keyword === 'onbuild' && args !== '') {
      current = args;
      continue;
    }
    const parser = Object.hasOwn(DISPATCH, keyword) ? (DISPATCH[keyword] as ArgumentParser) : parseUnknown;
    innermost = parser(args, escapeToken);
    break;
  }
  let node: ParsedLine = { ...(heads.pop() as LineHead), args: innermost.args, json: innermost.json };
  for (let head = heads.pop(); head !== undefined; head = heads.pop()) {
    node = { ...head, args: [], json: false, child: node };
  }
  return node;
}
