/**
 * `kiln push SOURCE [DESTINATION]`: upload a stored image (and everything it references) to a registry.
 */
import type { Command } from 'commander';
import { parsePushCompression } from '../../export/push-compression.js';
import { pushStoredImage } from '../../export/push-stored-image.js';
import { parseReference, referenceString } from '../../oci/reference.js';
import { resolveRoot } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { parseSize } from './parse-size.js';
import { openRegistryClient, type RegistryCommandOptions, withRegistryOptions } from './registry-command.js';
import { openCliStore } from './store-command.js';

interface PushOptions extends RegistryCommandOptions {
  readonly chunkSize?: string;
  readonly mountFrom?: readonly string[];
  readonly compression?: string;
}

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('push')
      .description('Push an image from the local store to a registry')
      .argument('<source>', 'stored image (reference, digest or ID)')
      .argument('[destination]', 'registry reference to push to (default: the source reference)')
      .option('--chunk-size <size>', 'upload blobs bigger than this in chunks of this size (default: one upload per blob)')
      .option('--mount-from <repository...>', 'repositories on the same registry to mount shared blobs from')
      .option(
        '--compression <gzip|zstd|none>',
        'compress uncompressed layers with this (default gzip; the compressed form is kept for later pushes)',
      ),
  ).action(
    async (source: string, destination: string | undefined, options: PushOptions, command: Command) => {
      const ref = parseReference(destination ?? source);
      const compression = parsePushCompression(options.compression ?? 'gzip', '--compression');
      const store = await openCliStore(command, ctx);
      const root = await resolveRoot(store, source);
      const client = await openRegistryClient(ctx, { registry: ref.domain, repository: ref.path }, options);
      try {
        const result = await pushStoredImage({
          client,
          store,
          digest: root.digest,
          reference: ref,
          compression,
          ...(options.mountFrom ? { mountFrom: options.mountFrom } : {}),
          ...(options.chunkSize !== undefined ? { chunkSize: parseSize(options.chunkSize) } : {}),
          signal: ctx.signal,
        });
        ctx.stdout.write(
          `${referenceString({ ...ref, digest: undefined })}: pushed\nDigest: ${result.descriptor.digest}\n`,
        );
      } finally {
        await client.close();
      }
    },
  );
}
