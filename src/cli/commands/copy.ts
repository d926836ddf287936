/**
 * `kiln copy SRC DST`: copy images between the store (`kiln:REF` or a bare reference), OCI layout
 * directories (`oci:DIR[:NAME]`), OCI archives (`oci-archive:FILE[:NAME]`), docker-archives
 * (`docker-archive:FILE[:REF]`) and registries (`docker://REF`).
 */
import type { Command } from 'commander';
import type { CopyOptions } from '../actions/copy.js';
import type { CliContext } from '../context.js';
import { withRegistryOptions } from './registry-options.js';

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('copy')
      .description('Copy images between the store, registries, OCI layouts and image archives')
      .argument(
        '<source>',
        'kiln:REF | REF | docker://REF | oci:DIR[:NAME] | oci-archive:FILE[:NAME] | docker-archive:FILE[:REF]',
      )
      .argument('<destination>', 'same forms as the source')
      .option('--platform <os/arch[/variant]>', 'copy only this platform of a multi-platform image')
      .option('--format <oci|docker>', 'manifest format to write')
      .option('--compression <gzip|zstd>', 'compress uncompressed layers')
      .option('--chunk-size <size>', 'upload blobs bigger than this to a registry in chunks of this size'),
  ).action(async (from: string, to: string, options: CopyOptions, command: Command) => {
    const { copyAction } = await import('../actions/copy.js');
    await copyAction(ctx, { from, to, options, command });
  });
}
