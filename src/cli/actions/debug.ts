/**
 * `kiln debug ast [-f FILE]`: the parsed AST in BuildKit's dump format.
 */
import { dumpAst, parseDockerfile } from '../../dockerfile/parser/index.js';
import type { CliContext } from '../context.js';
import { readTextInput } from '../io/read-input.js';
import { reportKilnError } from '../report.js';

export async function debugAstAction(ctx: CliContext, args: { readonly file: string }): Promise<void> {
  const text = await readTextInput(ctx, args.file);
  const file = args.file === '-' ? '<stdin>' : args.file;
  await reportKilnError(ctx, { source: text }, () => {
    ctx.stdout.write(dumpAst(parseDockerfile(text, { file })));
  });
}
