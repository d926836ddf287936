/**
 * `kiln images [--digests] [-q] [--format json]`: the images in the local store.
 */
import type { Command } from 'commander';
import type { ImagesOptions } from '../actions/images.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('images')
    .description('List images in the local store')
    .argument('[repository]', 'only images of this repository[:tag]')
    .option('--digests', 'show full image digests')
    .option('-q, --quiet', 'only show image IDs')
    .option('--format <format>', 'output format: table or json', 'table')
    .action(async (repository: string | undefined, options: ImagesOptions, command: Command) => {
      const { imagesAction } = await import('../actions/images.js');
      await imagesAction(ctx, { repository, options, command });
    });
}
