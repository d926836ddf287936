/**
 * The Dockerfile parser: text → DockerfileAst, with BuildKit's behaviour for directives, comments,
 * line continuations, heredocs, line numbers and warnings. Pure: no I/O, no state between calls.
 */
import { ErrorCode, isKilnError, KilnError, type SourceRange } from '../../errors.js';
import type {
  DockerfileAst,
  Heredoc,
  InstructionNode,
  ParseOptions,
  ParserDirectives,
  ParseWarning,
} from './ast.js';
import { DirectiveScanner, detectSyntax, parseDirective } from './directives.js';
import { flagRanges, type LineSegment } from './flag-ranges.js';
import { codePointAt, goTrimLeftSpace, goTrimSpace, skipGoSpace, trimNewline } from './go-text.js';
import { HEREDOC_KEYWORDS, type HeredocHeader, heredocsFromLine } from './heredoc.js';
import { type ParsedLine, parseLine } from './line-parsers.js';
import { MAX_LINE_BYTES, splitSourceLines } from './source-lines.js';
import type { EscapeToken } from './words.js';

/** Warning code for an empty line inside a line continuation (BuildKit rule NoEmptyContinuation). */
export const EMPTY_CONTINUATION_WARNING = 'W_EMPTY_CONTINUATION';

const EMPTY_CONTINUATION_URL = 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/';
const EMPTY_CONTINUATION_DETAIL = 'Empty continuation lines will become errors in a future release';

function isCommentLine(line: string): boolean {
  return goTrimLeftSpace(trimNewline(line)).startsWith('#');
}

/**
 * Removes a trailing line-continuation escape (and spaces/tabs after it), as BuildKit's
 * `([^E])E[ \t]*$|^E[ \t]*$`: an escape preceded by another escape does not continue the line.
 */
function trimContinuation(
  line: string,
  escapeToken: EscapeToken,
): { readonly text: string; readonly continues: boolean } {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end === 0 || line[end - 1] !== escapeToken) return { text: line, continues: false };
  if (end === 1) return { text: '', continues: true };
  if (line[end - 2] === escapeToken) return { text: line, continues: false };
  return { text: line.slice(0, end - 1), continues: true };
}

/** Drops the first code point (Go slices off the first byte of a comment line; for ASCII it is the same). */
function dropFirst(line: string): string {
  return line.slice(codePointAt(line, 0).width);
}

function escapeTokenOf(value: string): EscapeToken {
  if (value === '\\' || value === '`') return value;
  throw new KilnError(ErrorCode.DockerfileSyntax, `invalid escape token '${value}' does not match \` or \\`);
}

function canContainHeredoc(node: ParsedLine): boolean {
  const target = node.keyword === 'onbuild' && node.child !== undefined ? node.child : node;
  return HEREDOC_KEYWORDS.has(target.keyword) && !target.json;
}

/** Converts a parsed line (and its ONBUILD chain, iteratively) into AST nodes. */
function toInstructionNode(
  parsed: ParsedLine,
  extra: {
    readonly range: SourceRange;
    readonly comments: readonly string[];
    readonly heredocs: readonly Heredoc[];
    /** The joined line and where its parts came from, to locate flags. */
    readonly line: string;
    readonly segments: readonly LineSegment[];
  },
): InstructionNode {
  const chain: ParsedLine[] = [];
  for (let p: ParsedLine | undefined = parsed; p !== undefined; p = p.child) chain.push(p);
  let child: InstructionNode | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const p = chain[i] as ParsedLine;
    const outer = i === 0;
    const node: InstructionNode = {
      keyword: p.keyword,
      keywordAsWritten: p.keywordAsWritten,
      flags: p.flags,
      flagRanges: flagRanges(extra.line, p.flags, extra.segments, extra.range),
      args: p.args,
      json: p.json,
      heredocs: outer ? extra.heredocs : [],
      original: p.original,
      comments: outer ? extra.comments : [],
      range: extra.range,
    };
    child = child === undefined ? node : { ...node, child };
  }
  return child as InstructionNode;
}

/** Mutable bookkeeping of one parse; local to parseDockerfile, never shared. */
interface ParseState {
  readonly file: string;
  readonly lines: readonly string[];
  /** Index of the next physical line to read. */
  next: number;
  escapeToken: EscapeToken;
}

function lineRange(state: ParseState, startLine: number, endLine: number, startColumn = 1): SourceRange {
  const last = state.lines[endLine - 1] ?? '';
  return {
    start: { line: startLine, column: startColumn },
    end: { line: endLine, column: trimNewline(last).length + 1 },
  };
}

function located(error: unknown, state: ParseState, range: SourceRange): unknown {
  if (!isKilnError(error) || error.location !== undefined) return error;
  return new KilnError(error.code, error.message, { cause: error, location: { file: state.file, range } });
}

/** Reads the bodies of `headers` from the following lines; returns them with the last line read. */
function readHeredocBodies(state: ParseState, headers: readonly HeredocHeader[]): Heredoc[] | undefined {
  const heredocs: Heredoc[] = [];
  for (const header of headers) {
    const body: string[] = [];
    let terminated = false;
    while (state.next < state.lines.length) {
      const raw = state.lines[state.next] as string;
      state.next++;
      let candidate = trimNewline(raw);
      if (header.chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === header.name) {
        terminated = true;
        break;
      }
      body.push(raw);
    }
    if (!terminated) return undefined;
    heredocs.push({ ...header, content: body.join('') });
  }
  return heredocs;
}

/**
 * Parses a Dockerfile into its AST, exactly as BuildKit's frontend/dockerfile/parser does (see
 * ast.ts for the shape). Throws KilnError with code E_DOCKERFILE_SYNTAX (with a location) for text
 * BuildKit's parser rejects, and E_LINE_TOO_LONG for a line over 65535 bytes.
 */
export function parseDockerfile(text: string, options: ParseOptions = {}): DockerfileAst {
  const source = splitSourceLines(text);
  const state: ParseState = {
    file: options.file ?? 'Dockerfile',
    lines: source.lines,
    next: 0,
    escapeToken: '\\',
  };
  const directiveScanner = new DirectiveScanner();
  const locations: Record<string, SourceRange> = {};
  const children: InstructionNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];

  while (state.next < state.lines.length) {
    const lineNumber = state.next + 1;
    let raw = state.lines[state.next] as string;
    state.next++;
    let bomWidth = 0;
    if (lineNumber === 1 && raw.startsWith('\ufeff')) {
      raw = raw.slice(1);
      bomWidth = 1;
    }
    const isComment = isCommentLine(raw);
    if (isComment) {
      const comment = goTrimSpace(dropFirst(raw));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const token = goTrimLeftSpace(trimNewline(raw));
    try {
      const directive = directiveScanner.parseLine(token);
      if (directive !== undefined) {
        comments.pop();
        locations[directive.name] = lineRange(state, lineNumber, lineNumber);
        if (directive.name === 'escape') state.escapeToken = escapeTokenOf(directive.value);
      }
    } catch (error) {
      throw located(error, state, lineRange(state, lineNumber, lineNumber));
    }

    const first = trimContinuation(isComment ? '' : token, state.escapeToken);
    if (!first.continues && first.text === '') continue;
    const startLine = lineNumber;
    const startColumn = bomWidth + skipGoSpace(raw) + 1;
    const parts = [first.text];
    const segments: LineSegment[] = [{ offset: 0, line: startLine, column: startColumn }];
    let offset = first.text.length;
    let continues = first.continues;
    let hasEmptyContinuation = false;
    while (continues && state.next < state.lines.length) {
      const continuation = state.lines[state.next] as string;
      state.next++;
      if (isCommentLine(continuation)) continue;
      const content = trimNewline(continuation);
      if (goTrimLeftSpace(content) === '') {
        hasEmptyContinuation = true;
        continue;
      }
      const trimmed = trimContinuation(content, state.escapeToken);
      segments.push({ offset, line: state.next, column: 1 });
      offset += trimmed.text.length;
      parts.push(trimmed.text);
      continues = trimmed.continues;
    }
    const line = parts.join('');
    if (hasEmptyContinuation) {
      warnings.push({
        code: EMPTY_CONTINUATION_WARNING,
        message: `Empty continuation line found in: ${line}`,
        detail: EMPTY_CONTINUATION_DETAIL,
        url: EMPTY_CONTINUATION_URL,
        range: lineRange(state, state.next, state.next),
      });
    }

    let parsed: ParsedLine;
    let heredocs: Heredoc[] = [];
    try {
      parsed = parseLine(line, state.escapeToken);
      if (canContainHeredoc(parsed) && line.includes('<<')) {
        const bodies = readHeredocBodies(state, heredocsFromLine(line));
        if (bodies === undefined) throw new KilnError(ErrorCode.DockerfileSyntax, 'unterminated heredoc');
        heredocs = bodies;
      }
    } catch (error) {
      throw located(error, state, lineRange(state, startLine, state.next, startColumn));
    }
    children.push(
      toInstructionNode(parsed, {
        range: lineRange(state, startLine, state.next, startColumn),
        comments,
        heredocs,
        line,
        segments,
      }),
    );
    comments = [];
  }

  const lastLine = state.lines.length;
  if (children.length === 0) {
    throw new KilnError(ErrorCode.DockerfileSyntax, 'file with no instructions', {
      location: { file: state.file, range: lineRange(state, Math.max(lastLine, 1), Math.max(lastLine, 1)) },
    });
  }
  if (source.tooLongLine !== undefined) {
    const line = source.tooLongLine;
    throw new KilnError(
      ErrorCode.LineTooLong,
      `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
      {
        location: { file: state.file, range: { start: { line, column: 1 }, end: { line, column: 1 } } },
      },
    );
  }
  return {
    directives: directivesOf(text, state.escapeToken, locations),
    children,
    warnings,
    range: {
      start: (children[0] as InstructionNode).range.start,
      end: (children.at(-1) as InstructionNode).range.end,
    },
  };
}

function directivesOf(
  text: string,
  escapeToken: EscapeToken,
  locations: Record<string, SourceRange>,
): ParserDirectives {
  const syntax = detectSyntax(text);
  const check = parseDirective('check', text);
  const found: Record<string, SourceRange> = { ...locations };
  const whole = (line: number): SourceRange => ({ start: { line, column: 1 }, end: { line, column: 1 } });
  if (syntax !== undefined && found.syntax === undefined) found.syntax = whole(syntax.line);
  if (check !== undefined && found.check === undefined) found.check = whole(check.line);
  return {
    escapeToken,
    ...(syntax === undefined ? {} : { syntax: syntax.ref }),
    ...(check === undefined ? {} : { check: check.ref }),
    locations: found,
  };
}
