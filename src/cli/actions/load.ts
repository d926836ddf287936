/**
 * `kiln load [-i FILE] [--tag REF]`: load a docker-archive or OCI archive (format detected; gzip or
 * zstd compressed accepted) into the store. Without -i the archive is read from standard input.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { loadArchive } from '../../archive/load-archive.js';
import { familiarString, parseReference } from '../../oci/reference.js';
import type { CliContext } from '../context.js';
import { openCliStore } from './store-command.js';

export interface LoadOptions {
  readonly input?: string;
  readonly tag?: string;
  readonly quiet?: boolean;
}

export interface LoadArgs {
  readonly options: LoadOptions;
  readonly command: Command;
}

export async function loadAction(ctx: CliContext, args: LoadArgs): Promise<void> {
  const { options, command } = args;
  const store = await openCliStore(command, ctx);
  let spool: string | undefined;
  try {
    let file = options.input;
    if (file === undefined || file === '-') {
      spool = await mkdtemp(join(store.paths.tmpDir, 'load-'));
      file = join(spool, 'archive');
      await pipeline(ctx.stdin as Readable, createWriteStream(file, { mode: 0o600 }));
    }
    const result = await loadArchive({
      store,
      file,
      tmpDir: store.paths.tmpDir,
      signal: ctx.signal,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
    });
    if (options.quiet === true) return;
    for (const image of result.images) {
      if (image.tags.length === 0) ctx.stdout.write(`Loaded image ID: ${image.root.digest}\n`);
      for (const tag of image.tags)
        ctx.stdout.write(`Loaded image: ${familiarString(parseReference(tag))}\n`);
    }
  } finally {
    if (spool !== undefined) await rm(spool, { recursive: true, force: true });
  }
}
