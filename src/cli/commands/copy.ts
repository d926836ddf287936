/**
 * `kiln copy SRC DST`: copy images between the store (`kiln:REF` or a bare reference), OCI layout
 * directories (`oci:DIR[:NAME]`), OCI archives (`oci-archive:FILE[:NAME]`) and docker-archives
 * (`docker-archive:FILE[:REF]`).
 */
import type { Command } from 'commander';
import { copyImage } from '../../archive/copy-image.js';
import { openDestination, openSource } from '../../archive/open-transport.js';
import { parseTransportSpec } from '../../archive/transport-spec.js';
import { ErrorCode, KilnError } from '../../errors.js';
import { defaultPlatform, parsePlatform } from '../../oci/platform.js';
import type { CliContext } from '../context.js';
import { openCliStore } from './store-command.js';

interface CopyOptions {
  readonly platform?: string;
  readonly format?: string;
  readonly compression?: string;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('copy')
    .description('Copy images between the store, OCI layouts and image archives')
    .argument(
      '<source>',
      'kiln:REF | REF | oci:DIR[:NAME] | oci-archive:FILE[:NAME] | docker-archive:FILE[:REF]',
    )
    .argument('<destination>', 'same forms as the source')
    .option('--platform <os/arch[/variant]>', 'copy only this platform of a multi-platform image')
    .option('--format <oci|docker>', 'manifest format to write')
    .option('--compression <gzip|zstd>', 'compress uncompressed layers')
    .action(async (from: string, to: string, options: CopyOptions, command: Command) => {
      if (options.format !== undefined && options.format !== 'oci' && options.format !== 'docker') {
        throw new KilnError(ErrorCode.Usage, `unknown --format ${JSON.stringify(options.format)}`);
      }
      if (
        options.compression !== undefined &&
        options.compression !== 'gzip' &&
        options.compression !== 'zstd'
      ) {
        throw new KilnError(ErrorCode.Usage, `unknown --compression ${JSON.stringify(options.compression)}`);
      }
      const host = defaultPlatform({ platform: process.platform, arch: process.arch });
      const context = { store: () => openCliStore(command, ctx), signal: ctx.signal, stdout: ctx.stdout };
      const src = await openSource(parseTransportSpec(from), context);
      try {
        const dst = await openDestination(parseTransportSpec(to), context);
        const result = await copyImage({
          src,
          dst,
          signal: ctx.signal,
          ...(options.platform !== undefined
            ? { platform: parsePlatform(options.platform, { defaults: host }) }
            : {}),
          ...(options.format !== undefined ? { format: options.format as 'oci' | 'docker' } : {}),
          ...(options.compression !== undefined
            ? { compression: options.compression as 'gzip' | 'zstd' }
            : {}),
        });
        for (const image of result.images) ctx.stderr.write(`Copied ${image.root.digest}\n`);
      } finally {
        await src.close();
      }
    });
}
