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
import { openRegistryClient, type RegistryCommandOptions } from './registry-command.js';
import { openCliStore } from './store-command.js';

export interface PushOptions extends RegistryCommandOptions {
  readonly chunkSize?: string;
  readonly mountFrom?: readonly string[];
  readonly compression?: string;
}

export interface PushArgs {
  readonly source: string;
  readonly destination: string | undefined;
  readonly options: PushOptions;
  readonly command: Command;
}

export async function pushAction(ctx: CliContext, args: PushArgs): Promise<void> {
  const { source, destination, options, command } = args;
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
}
