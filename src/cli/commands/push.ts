/**
 * `kiln push SOURCE [DESTINATION]`: upload a stored image (and everything it references) to a registry.
 */
import type { Command } from 'commander';
import { ErrorCode, KilnError } from '../../errors.js';
import { parseReference, referenceString } from '../../oci/reference.js';
import { pushImage } from '../../registry/index.js';
import { resolveRoot } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { type RegistryCommandOptions, registryClient, withRegistryOptions } from './registry-command.js';
import { openCliStore } from './store-command.js';

interface PushOptions extends RegistryCommandOptions {
  readonly chunkSize?: string;
  readonly mountFrom?: readonly string[];
}

function parseSize(text: string): number {
  const match = /^(\d+)([kKmMgG]?)i?[bB]?$/.exec(text.trim());
  if (!match) throw new KilnError(ErrorCode.Usage, `invalid size ${JSON.stringify(text)} (e.g. 16M)`);
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'
  ];
  const size = Number(match[1]) * factor;
  if (size < 1) throw new KilnError(ErrorCode.Usage, 'chunk size must be positive');
  return size;
}

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('push')
      .description('Push an image from the local store to a registry')
      .argument('<source>', 'stored image (reference, digest or ID)')
      .argument('[destination]', 'registry reference to push to (default: the source reference)')
      .option('--chunk-size <size>', 'upload blobs bigger than this in chunks of this size (default 32M)')
      .option('--mount-from <repository...>', 'repositories on the same registry to mount shared blobs from'),
  ).action(
    async (source: string, destination: string | undefined, options: PushOptions, command: Command) => {
      const ref = parseReference(destination ?? source);
      const store = await openCliStore(command, ctx);
      const root = await resolveRoot(store, source);
      const client = registryClient(ctx, ref.domain, options);
      try {
        const result = await pushImage(client, {
          repository: { registry: ref.domain, repository: ref.path },
          store,
          digest: root.digest,
          tags: ref.tag !== undefined && ref.digest === undefined ? [ref.tag] : [],
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
