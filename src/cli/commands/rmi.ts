/**
 * `kiln rmi REF...`: untag images; an image no name refers to is deleted (its blobs go at `kiln prune`).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rmi')
    .description('Remove images from the local store')
    .argument('<ref...>', 'image references, digests or IDs')
    .option('-f, --force', 'remove an image given by ID or digest even when several tags refer to it')
    .action(async (refs: readonly string[], options: { readonly force?: boolean }, command: Command) => {
      const { rmiAction } = await import('../actions/rmi.js');
      await rmiAction(ctx, { refs, force: options.force === true, command });
    });
}
