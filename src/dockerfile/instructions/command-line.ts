/**
 * Shell-form vs exec-form command lines and heredoc handling shared by RUN/CMD/ENTRYPOINT/ADD/COPY.
 */
import type { Heredoc, InstructionNode } from '../parser/ast.js';
import { chompHeredocContent } from '../parser/heredoc.js';
import type { CommandLine, ShellInlineFile, SourceContent, SourcesAndDest } from './types.js';

/** Exec form keeps the JSON elements; shell form joins the words with single spaces (BuildKit's handleJSONArgs). */
export function handleJsonArgs(args: readonly string[], json: boolean): readonly string[] {
  if (json) return args;
  if (args.length === 0) return [];
  return [args.join(' ')];
}

/** The command line of RUN/CMD/ENTRYPOINT with heredoc bodies as inline files. */
export function commandLine(node: InstructionNode, args: readonly string[] = node.args): CommandLine {
  const files: ShellInlineFile[] = node.heredocs.map((h) => ({
    name: h.name,
    data: h.content,
    chomp: h.chomp,
    expand: h.expand,
  }));
  return { form: node.json ? 'exec' : 'shell', args: handleJsonArgs(args, node.json), files };
}

/** A heredoc reference in an argument (`<<EOF`, `<<-'EOF'`, `3<<"EOF"`), or undefined. */
export function heredocReference(
  word: string,
): { readonly name: string; readonly chomp: boolean } | undefined {
  const match = /^(\d*)<<(-?)([^<]*)$/.exec(word);
  if (match === null) return undefined;
  const name = match[3]!.replace(/['"]/g, '').trim();
  if (name === '' || /\s/.test(name)) return undefined;
  return { name, chomp: match[2] === '-' };
}

/** Splits ADD/COPY operands into paths, inline (heredoc) sources and the destination. */
export function sourcesAndDest(
  args: readonly string[],
  heredocs: readonly Heredoc[],
): SourcesAndDest | { readonly heredocDestination: true } {
  const dest = args[args.length - 1]!;
  if (heredocReference(dest) !== undefined) return { heredocDestination: true };
  const byName = new Map(heredocs.map((h) => [h.name, h]));
  const sourcePaths: string[] = [];
  const sourceContents: SourceContent[] = [];
  for (const src of args.slice(0, -1)) {
    const ref = heredocReference(src);
    const heredoc = ref === undefined ? undefined : byName.get(ref.name);
    if (ref === undefined || heredoc === undefined) {
      sourcePaths.push(src);
      continue;
    }
    const chomp = ref.chomp || heredoc.chomp;
    sourceContents.push({
      path: ref.name,
      data: chomp ? chompHeredocContent(heredoc.content) : heredoc.content,
      expand: heredoc.expand,
    });
  }
  return { sourcePaths, sourceContents, destPath: dest };
}
