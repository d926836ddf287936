/**
 * `kiln debug ast [-f FILE]`: the parsed AST in BuildKit's dump format.
 */
import type { Command } from 'commander';
import { dumpAst, parseDockerfile } from '../../dockerfile/parser/index.js';
import type { CliContext } from '../context.js';
import { readTextInput } from '../io/read-input.js';
import { reportKilnError } from '../report.js';

export function register(program: Command, ctx: CliContext): void {
  const debug = program.command('debug').description('inspect kiln internals');
  debug
    .command('ast')
    .description("print the parsed Dockerfile AST in BuildKit's dump format")
    .option('-f, --file <path>', 'Dockerfile to read (- for stdin)', 'Dockerfile')
    .action(async (options: { file: string }) => {
      const text = await readTextInput(ctx, options.file);
      const file = options.file === '-' ? '<stdin>' : options.file;
      await reportKilnError(ctx, { source: text }, () => {
        ctx.stdout.write(dumpAst(parseDockerfile(text, { file })));
      });
    });
}
