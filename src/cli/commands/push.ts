/**
 * `kiln push SOURCE [DESTINATION]`: upload a stored image (and everything it references) to a registry.
 */
import type { Command } from 'commander';
import type { PushOptions } from '../actions/push.js';
import type { CliContext } from '../context.js';
import { withRegistryOptions } from './registry-options.js';

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('push')
      .description('Push an image from the local store to a registry')
      .argument('<source>', 'stored image (reference, digest or ID)')
      .argument('[destination]', 'registry reference to push to (default: the source reference)')
      .option(
        '--chunk-size <size>',
        'upload blobs bigger than this in chunks of this size (default: one upload per blob)',
      )
      .option('--mount-from <repository...>', 'repositories on the same registry to mount shared blobs from')
      .option(
        '--compression <gzip|zstd|none>',
        'compress uncompressed layers with this (default gzip; the compressed form is kept for later pushes)',
      ),
  ).action(
    async (source: string, destination: string | undefined, options: PushOptions, command: Command) => {
      const { pushAction } = await import('../actions/push.js');
      await pushAction(ctx, { source, destination, options, command });
    },
  );
}
