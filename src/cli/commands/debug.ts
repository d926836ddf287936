/**
 * `kiln debug ast [-f FILE]`: the parsed AST in BuildKit's dump format.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  const debug = program.command('debug').description('inspect kiln internals');
  debug
    .command('ast')
    .description("print the parsed Dockerfile AST in BuildKit's dump format")
    .option('-f, --file <path>', 'Dockerfile to read (- for stdin)', 'Dockerfile')
    .action(async (options: { file: string }) => {
      const { debugAstAction } = await import('../actions/debug.js');
      await debugAstAction(ctx, { file: options.file });
    });
}
