/**
 * Splitting an instruction line into keyword, flags (`--x=y` before the arguments) and the rest,
 * as BuildKit's `splitCommand` / `extractBuilderFlags` do.
 */
import { codePointAt, goTrimSpace, isGoSpace } from './go-text.js';

export interface SplitCommand {
  /** The keyword as written (not lowercased). */
  readonly command: string;
  readonly flags: readonly string[];
  /** The arguments after the flags, trimmed. */
  readonly args: string;
}

/** BuildKit's `reWhitespace` (`[\t\v\f\r ]+`), used to split keyword from arguments and plain lists. */
export const ASCII_WHITESPACE_RUN = /[\t\v\f\r ]+/;

export interface ExtractedFlags {
  readonly flags: readonly string[];
  /** What follows the flags, untrimmed. */
  readonly rest: string;
}

type Phase = 'spaces' | 'word' | 'quote';

/**
 * Boolean flags by instruction. A boolean flag never takes the next word as its value (`COPY --link src dst`
 * copies `src`), as the Dockerfile reference documents `--link[=<boolean>]`; other flags accept
 * `--flag value` like `--flag=value`.
 */
const BOOLEAN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  add: ['link', 'keep-git-dir', 'unpack'],
  copy: ['link', 'parents'],
};

/** Whether `--name` is a boolean flag of the instruction `keyword` (any case). */
export function isBooleanFlag(keyword: string, name: string): boolean {
  return BOOLEAN_FLAGS[keyword.toLowerCase()]?.includes(name) ?? false;
}

/**
 * Extracts leading `--flag`, `--flag=value` and `--flag value` words. Quotes are removed from flag words
 * and a backslash escapes the next character; a lone `--` ends the flags. `isBoolean(name)` names the flags
 * that take no space-separated value.
 *
 * Deliberate difference from BuildKit: Go walks the line byte by byte here, which mangles non-ASCII
 * characters in flag values (each UTF-8 byte becomes a Latin-1 character); kiln walks code points and
 * keeps them intact.
 */
export function extractBuilderFlags(
  line: string,
  isBoolean: (name: string) => boolean = () => false,
): ExtractedFlags {
  const words: string[] = [];
  let phase: Phase = 'spaces';
  let word = '';
  let quote = '';
  let blankOk = false;
  let parsingFlagArg = false;
  let needFlagArg = true;
  let ch = '';
  let width = 1;
  const len = line.length;

  for (let pos = 0; pos <= len; pos += width) {
    if (pos !== len) {
      width = codePointAt(line, pos).width;
      ch = line.slice(pos, pos + width);
    }
    if (phase === 'spaces') {
      if (pos === len) break;
      if (isGoSpace(ch.codePointAt(0) ?? 0)) continue;
      const startsFlag = ch === '-' && line[pos + 1] === '-';
      if (!parsingFlagArg && !startsFlag) return { flags: words, rest: line.slice(pos) };
      phase = 'word';
    }
    if (pos === len) {
      if (word !== '--' && (blankOk || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.codePointAt(0) ?? 0)) {
        phase = 'spaces';
        if (parsingFlagArg) {
          words[words.length - 1] += `=${word}`;
          parsingFlagArg = false;
          needFlagArg = true;
        } else {
          if (word === '--') return { flags: words, rest: line.slice(pos) };
          if (blankOk || word.length > 0) {
            if (needFlagArg && !isBoolean(word.slice(2))) parsingFlagArg = true;
            words.push(word);
          }
        }
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === '=' && needFlagArg) needFlagArg = false;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === len) continue;
        pos += 1;
        width = codePointAt(line, pos).width;
        ch = line.slice(pos, pos + width);
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === len) {
        phase = 'word';
        continue;
      }
      pos += 1;
      width = codePointAt(line, pos).width;
      ch = line.slice(pos, pos + width);
    }
    word += ch;
  }
  return { flags: words, rest: '' };
}

/**
 * Splits one logical instruction line: the keyword (up to the first run of ASCII whitespace), its flags,
 * and the trimmed arguments.
 */
export function splitCommand(line: string): SplitCommand {
  const trimmed = goTrimSpace(line);
  const match = ASCII_WHITESPACE_RUN.exec(trimmed);
  if (match === null) return { command: trimmed, flags: [], args: '' };
  const command = trimmed.slice(0, match.index);
  const { flags, rest } = extractBuilderFlags(trimmed.slice(match.index + match[0].length), (name) =>
    isBooleanFlag(command, name),
  );
  return { command, flags, args: goTrimSpace(rest) };
}
