/**
 * `kiln tag SOURCE TARGET`: give a stored image another name.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('tag')
    .description('Create a tag TARGET that refers to the image SOURCE')
    .argument('<source>', 'image reference, digest or ID')
    .argument('<target>', 'new name[:tag]')
    .action(async (source: string, target: string, _options: unknown, command: Command) => {
      const { tagAction } = await import('../actions/tag.js');
      await tagAction(ctx, { source, target, command });
    });
}
