/**
 * BuildKit's AST dump (`Node.Dump()`), byte for byte: one `(keyword ["--flag"] "arg" ...)` line per
 * instruction, arguments quoted like Go's strconv.Quote, ONBUILD triggers nested.
 */
import type { DockerfileAst, InstructionNode } from './ast.js';
import { goQuote, goQuoteList } from './go-quote.js';
import { goTrimSpace } from './go-text.js';

function head(node: InstructionNode): string {
  return node.flags.length > 0 ? `${node.keyword} ${goQuoteList(node.flags)}` : node.keyword;
}

/** One instruction without its outer parentheses: `run ["--mount=..."] "echo hi"`. */
export function dumpNode(node: InstructionNode): string {
  const heads: string[] = [];
  let innermost = node;
  while (innermost.child !== undefined) {
    heads.push(head(innermost));
    innermost = innermost.child;
  }
  let text = head(innermost);
  for (const arg of innermost.args) text += ` ${goQuote(arg)}`;
  text = goTrimSpace(text);
  for (let i = heads.length - 1; i >= 0; i--) text = `${heads[i]} (${text})`;
  return text;
}

/**
 * The dump of a whole Dockerfile: each instruction as `(...)` on its own line, every line ending in
 * `\n` (BuildKit's `AST.Dump() + "\n"`, the format of the parser testfiles' `result`).
 */
export function dumpAst(ast: DockerfileAst): string {
  return ast.children.map((node) => `(${dumpNode(node)})\n`).join('');
}
