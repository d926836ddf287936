/**
 * `kiln copy SRC DST`: copy images between the store (`kiln:REF` or a bare reference), OCI layout
 * directories (`oci:DIR[:NAME]`), OCI archives (`oci-archive:FILE[:NAME]`), docker-archives
 * (`docker-archive:FILE[:REF]`) and registries (`docker://REF`).
 */
import type { Command } from 'commander';
import { copyImage } from '../../archive/copy-image.js';
import { openDestination, openSource } from '../../archive/open-transport.js';
import { registryTransport } from '../../archive/registry-transport.js';
import { parseTransportSpec } from '../../archive/transport-spec.js';
import { ErrorCode, KilnError } from '../../errors.js';
import { defaultPlatform, parsePlatform } from '../../oci/platform.js';
import type { CliContext } from '../context.js';
import { parseSize } from './parse-size.js';
import { type RegistryCommandOptions, registryClientFactory } from './registry-command.js';
import { openCliStore } from './store-command.js';

export interface CopyOptions extends RegistryCommandOptions {
  readonly platform?: string;
  readonly format?: string;
  readonly compression?: string;
  readonly chunkSize?: string;
}

export interface CopyArgs {
  readonly from: string;
  readonly to: string;
  readonly options: CopyOptions;
  readonly command: Command;
}

export async function copyAction(ctx: CliContext, args: CopyArgs): Promise<void> {
  const { from, to, options, command } = args;
  if (options.format !== undefined && options.format !== 'oci' && options.format !== 'docker') {
    throw new KilnError(ErrorCode.Usage, `unknown --format ${JSON.stringify(options.format)}`);
  }
  if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'zstd') {
    throw new KilnError(ErrorCode.Usage, `unknown --compression ${JSON.stringify(options.compression)}`);
  }
  const host = defaultPlatform({ platform: process.platform, arch: process.arch });
  const srcSpec = parseTransportSpec(from);
  const dstSpec = parseTransportSpec(to);
  const usesRegistry = srcSpec.kind === 'docker' || dstSpec.kind === 'docker';
  const clientFor = usesRegistry ? await registryClientFactory(ctx, options) : undefined;
  const context = {
    store: () => openCliStore(command, ctx),
    signal: ctx.signal,
    stdout: ctx.stdout,
    ...(clientFor !== undefined
      ? {
          registry: registryTransport({
            client: async (ref) => clientFor({ registry: ref.domain, repository: ref.path }),
            signal: ctx.signal,
            ...(options.chunkSize !== undefined ? { chunkSize: parseSize(options.chunkSize) } : {}),
          }),
        }
      : {}),
  };
  const src = await openSource(srcSpec, context);
  try {
    const dst = await openDestination(dstSpec, context);
    const result = await copyImage({
      src,
      dst,
      signal: ctx.signal,
      ...(options.platform !== undefined
        ? { platform: parsePlatform(options.platform, { defaults: host }) }
        : {}),
      ...(options.format !== undefined ? { format: options.format as 'oci' | 'docker' } : {}),
      ...(options.compression !== undefined ? { compression: options.compression as 'gzip' | 'zstd' } : {}),
    });
    for (const image of result.images) ctx.stderr.write(`Copied ${image.root.digest}\n`);
    if (usesRegistry) {
      ctx.stderr.write(
        `${result.blobsCopied} blobs copied, ${result.blobsMounted} mounted, ${result.blobsSkipped} already there\n`,
      );
    }
  } finally {
    await src.close();
  }
}
