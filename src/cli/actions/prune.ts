/**
 * `kiln prune [--all]`: garbage-collect the local store.
 */
import type { Command } from 'commander';
import { ErrorCode, KilnError } from '../../errors.js';
import { CacheMountManager, listCacheMounts } from '../../mounts/index.js';
import { DEFAULT_GC_GRACE_MS, prune } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { formatSize, openCliStore } from './store-command.js';

export interface PruneCliOptions {
  readonly all?: boolean;
  readonly grace?: string;
  readonly dryRun?: boolean;
  readonly keepCacheMounts?: boolean;
}

export interface PruneArgs {
  readonly options: PruneCliOptions;
  readonly command: Command;
}

export async function pruneAction(ctx: CliContext, args: PruneArgs): Promise<void> {
  const { options, command } = args;
  const grace = options.grace === undefined ? DEFAULT_GC_GRACE_MS / 1000 : Number(options.grace);
  if (!Number.isFinite(grace) || grace < 0) {
    throw new KilnError(
      ErrorCode.Usage,
      `--grace must be a number of seconds, got ${JSON.stringify(options.grace)}`,
    );
  }
  const store = await openCliStore(command, ctx);
  const result = await prune(store, {
    all: options.all === true,
    gracePeriodMs: grace * 1000,
    dryRun: options.dryRun === true,
  });
  const verb = options.dryRun ? 'Would remove' : 'Removed';
  for (const digest of result.removedImages) ctx.stdout.write(`${verb} image: ${digest}\n`);
  for (const digest of result.removedBlobs) ctx.stdout.write(`${verb} blob: ${digest}\n`);
  if (result.removedTempFiles > 0) ctx.stdout.write(`${verb} ${result.removedTempFiles} temporary file(s)\n`);
  let freed = result.bytesFreed;
  if (!options.keepCacheMounts) {
    const root = store.paths.cacheMountsDir;
    const removed = options.dryRun
      ? await listCacheMounts(root)
      : (await new CacheMountManager({ root }).prune({ signal: ctx.signal })).removed;
    for (const mount of removed) {
      ctx.stdout.write(`${verb} cache mount: ${mount.id} (${formatSize(mount.bytes)})\n`);
      freed += mount.bytes;
    }
  }
  ctx.stdout.write(`Total reclaimed space: ${formatSize(freed)}\n`);
}
