/**
 * `kiln save [-o FILE] [--format docker-archive|oci-archive|oci-dir] REF...`: write stored images to
 * an archive (standard output when no -o and it is not a terminal) or an OCI layout directory.
 */
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ArchiveOutput } from '../../archive/archive-output.js';
import { copyImage } from '../../archive/copy-image.js';
import { DockerArchiveDestination } from '../../archive/docker-archive-destination.js';
import { archiveSink, directorySink, OciLayoutDestination } from '../../archive/layout-destination.js';
import { StoreSource } from '../../archive/store-transport.js';
import type { ImageDestination } from '../../archive/transport.js';
import { ErrorCode, KilnError } from '../../errors.js';
import { defaultPlatform, parsePlatform } from '../../oci/platform.js';
import type { CliContext } from '../context.js';
import { openCliStore } from './store-command.js';

export interface SaveOptions {
  readonly output?: string;
  readonly format: string;
  readonly platform?: string;
  readonly compression?: string;
}

const FORMATS = ['docker-archive', 'oci-archive', 'oci-dir'] as const;

async function destination(format: string, options: SaveOptions, ctx: CliContext): Promise<ImageDestination> {
  const output = options.output;
  if (format === 'oci-dir') {
    if (output === undefined) throw new KilnError(ErrorCode.Usage, '--format oci-dir needs -o DIR');
    return new OciLayoutDestination(directorySink(output));
  }
  if (output === undefined && (ctx.stdout as Writable & { isTTY?: boolean }).isTTY === true) {
    throw new KilnError(ErrorCode.Usage, 'refusing to write an archive to a terminal', {
      hint: 'use -o FILE',
    });
  }
  const archive = await ArchiveOutput.open(
    output === undefined || output === '-'
      ? { kind: 'stream', stream: ctx.stdout, description: '-' }
      : { kind: 'file', path: output },
  );
  return format === 'docker-archive'
    ? new DockerArchiveDestination(archive)
    : new OciLayoutDestination(archiveSink(archive));
}

export interface SaveArgs {
  readonly refs: string[];
  readonly options: SaveOptions;
  readonly command: Command;
}

export async function saveAction(ctx: CliContext, args: SaveArgs): Promise<void> {
  const { refs, options, command } = args;
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new KilnError(ErrorCode.Usage, `unknown --format ${JSON.stringify(options.format)}`, {
      hint: `use one of ${FORMATS.join(', ')}`,
    });
  }
  if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'zstd') {
    throw new KilnError(ErrorCode.Usage, `unknown --compression ${JSON.stringify(options.compression)}`);
  }
  const host = defaultPlatform({ platform: process.platform, arch: process.arch });
  const store = await openCliStore(command, ctx);
  const src = new StoreSource(store, refs);
  try {
    const dst = await destination(options.format, options, ctx);
    await copyImage({
      src,
      dst,
      signal: ctx.signal,
      tmpDir: store.paths.tmpDir,
      ...(options.platform !== undefined
        ? { platform: parsePlatform(options.platform, { defaults: host }) }
        : {}),
      ...(options.compression !== undefined ? { compression: options.compression as 'gzip' | 'zstd' } : {}),
    });
  } finally {
    await src.close();
  }
}
