/**
 * `kiln save [-o FILE] [--format docker-archive|oci-archive|oci-dir] REF...`: write stored images to
 * an archive (standard output when no -o and it is not a terminal) or an OCI layout directory.
 */
import type { Command } from 'commander';
import type { SaveOptions } from '../actions/save.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('save')
    .description('Save stored images to a docker-archive, an OCI archive or an OCI layout directory')
    .argument('<images...>', 'image references, digests or IDs')
    .option('-o, --output <path>', 'archive file or (oci-dir) directory; default standard output')
    .option('--format <format>', 'one of docker-archive, oci-archive, oci-dir', 'docker-archive')
    .option('--platform <os/arch[/variant]>', 'platform to save from a multi-platform image')
    .option('--compression <gzip|zstd>', 'compress uncompressed layers')
    .action(async (refs: string[], options: SaveOptions, command: Command) => {
      const { saveAction } = await import('../actions/save.js');
      await saveAction(ctx, { refs, options, command });
    });
}
