/**
 * `kiln load [-i FILE] [--tag REF]`: load a docker-archive or OCI archive (format detected; gzip or
 * zstd compressed accepted) into the store. Without -i the archive is read from standard input.
 */
import type { Command } from 'commander';
import type { LoadOptions } from '../actions/load.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('load')
    .description('Load images from a docker-archive or OCI archive into the local store')
    .option('-i, --input <file>', 'archive to read (default: standard input)')
    .option('--tag <ref>', 'name the loaded image (archives holding one image)')
    .option('-q, --quiet', 'print nothing')
    .action(async (options: LoadOptions, command: Command) => {
      const { loadAction } = await import('../actions/load.js');
      await loadAction(ctx, { options, command });
    });
}
