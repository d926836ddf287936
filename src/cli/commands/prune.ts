/**
 * `kiln prune [--all]`: garbage-collect the local store.
 */
import type { Command } from 'commander';
import type { PruneCliOptions } from '../actions/prune.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .description('Remove blobs no image refers to, and abandoned temporary files')
    .option('-a, --all', 'also remove untagged (dangling) images')
    .option('--grace <seconds>', 'keep unreferenced data younger than this (default: 600)')
    .option('--dry-run', 'only report what would be removed')
    .option('--keep-cache-mounts', 'keep the RUN --mount=type=cache directories')
    .action(async (options: PruneCliOptions, command: Command) => {
      const { pruneAction } = await import('../actions/prune.js');
      await pruneAction(ctx, { options, command });
    });
}
