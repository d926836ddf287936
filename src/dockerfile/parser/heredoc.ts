/**
 * Heredoc recognition (`<<EOF`, `<<-EOF`, `<<'EOF'`, `3<<EOF`) as BuildKit's parser does it.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import type { Heredoc } from './ast.js';
import { isPerlSpace } from './go-text.js';
import { heredocWords } from './heredoc-words.js';

/** A heredoc as recognised on the instruction line, before its body is read. */
export type HeredocHeader = Omit<Heredoc, 'content'>;

/** Keywords whose instruction line may introduce heredocs. */
export const HEREDOC_KEYWORDS: ReadonlySet<string> = new Set(['add', 'copy', 'run']);

/** Go parses the descriptor as uint64 and saturates on overflow (as a float here, so approximately). */
const MAX_UINT64 = 2 ** 64 - 1;

function countQuotes(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') count++;
  }
  return count;
}

interface HeredocMatch {
  readonly fileDescriptor: number;
  readonly chomp: boolean;
  readonly rest: string;
}

/** `^(\d*)<<(-?)\s*([^<]*)$`, matched by hand (linear time). */
function matchHeredocWord(word: string): HeredocMatch | undefined {
  let i = 0;
  while (i < word.length && word.charCodeAt(i) >= 0x30 && word.charCodeAt(i) <= 0x39) i++;
  const digits = word.slice(0, i);
  if (!word.startsWith('<<', i)) return undefined;
  i += 2;
  const chomp = word[i] === '-';
  if (chomp) i++;
  while (i < word.length && isPerlSpace(word[i])) i++;
  const rest = word.slice(i);
  if (rest.includes('<')) return undefined;
  const fd = digits === '' ? 0 : Math.min(Number(digits), MAX_UINT64);
  return { fileDescriptor: fd, chomp, rest };
}

/**
 * Parses one word as a heredoc introducer (`<<EOF`, `<<-'EOF'`, `2<<EOF`, `<< EOF`). Returns undefined
 * when the word is not a heredoc; throws KilnError(E_DOCKERFILE_SYNTAX) for an unbalanced quote.
 * `expand` is false when any part of the delimiter was quoted.
 */
export function parseHeredoc(word: string): HeredocHeader | undefined {
  const match = matchHeredocWord(word);
  if (match === undefined || match.rest === '') return undefined;
  const words = heredocWords(match.rest, { rawQuotes: false, rawEscapes: false });
  const [name] = words;
  if (words.length !== 1 || name === undefined) return undefined;
  const rawWords = heredocWords(match.rest, { rawQuotes: true, rawEscapes: false });
  const [rawName] = rawWords;
  if (rawWords.length !== 1 || rawName === undefined) {
    throw new KilnError(
      ErrorCode.DockerfileSyntax,
      `internal lexing of heredoc produced inconsistent results: ${match.rest}`,
    );
  }
  return {
    name,
    expand: countQuotes(name) === countQuotes(rawName),
    chomp: match.chomp,
    fileDescriptor: match.fileDescriptor,
  };
}

/**
 * The heredocs an instruction line introduces, in order. A line that the shell-word splitter cannot
 * split (unbalanced quotes…) has none, as in BuildKit.
 */
export function heredocsFromLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    words = heredocWords(line, { rawQuotes: true, rawEscapes: true });
  } catch {
    return [];
  }
  const found: HeredocHeader[] = [];
  for (const word of words) {
    const heredoc = parseHeredoc(word);
    if (heredoc !== undefined) found.push(heredoc);
  }
  return found;
}

/** Removes leading tabs from every line (the `<<-` form), as BuildKit's ChompHeredocContent. */
export function chompHeredocContent(content: string): string {
  // Go's (?m)^ only starts a line after \n (JavaScript's m flag also honours \r, U+2028, U+2029).
  return content
    .split('\n')
    .map((line) => line.replace(/^\t+/, ''))
    .join('\n');
}
