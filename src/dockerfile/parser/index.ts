/**
 * The Dockerfile parser (BuildKit-compatible): `parseDockerfile` turns text into an AST with source
 * ranges; `dumpAst` renders BuildKit's AST dump. The helpers below are the building blocks BuildKit
 * exposes and tests individually.
 */
export type * from './ast.js';
export {
  type DetectedDirective,
  DIRECTIVE_NAMES,
  type Directive,
  DirectiveScanner,
  detectSyntax,
  parseDirective,
  parseDirectives,
} from './directives.js';
export { dumpAst, dumpNode } from './dump.js';
export { goQuote, goQuoteList } from './go-quote.js';
export {
  chompHeredocContent,
  HEREDOC_KEYWORDS,
  type HeredocHeader,
  heredocsFromLine,
  parseHeredoc,
} from './heredoc.js';
export { type JsonArrayResult, parseJsonArray } from './json-array.js';
export {
  isKnownKeyword,
  type ParsedLine,
  parseLine,
  parseNameVal,
  parseStringsWhitespaceDelimited,
} from './line-parsers.js';
export { EMPTY_CONTINUATION_WARNING, parseDockerfile } from './parse.js';
export { MAX_LINE_BYTES } from './source-lines.js';
export {
  type ExtractedFlags,
  extractBuilderFlags,
  type SplitCommand,
  splitCommand,
} from './split-command.js';
export { parseWords } from './words.js';
