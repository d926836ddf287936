/**
 * `kiln inspect REF...`: a JSON array describing each image, in the spirit of `docker image inspect`.
 */
import type { Command } from 'commander';
import type { InspectOptions } from '../actions/inspect.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('Show details of images in the local store as JSON')
    .argument('<ref...>', 'image references, digests or IDs')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: host)')
    .action(async (refs: readonly string[], options: InspectOptions, command: Command) => {
      const { inspectAction } = await import('../actions/inspect.js');
      await inspectAction(ctx, { refs, options, command });
    });
}
