/**
 * `kiln rmi REF...`: untag images; an image no name refers to is deleted (its blobs go at `kiln prune`).
 */
import type { Command } from 'commander';
import { isKilnError } from '../../errors.js';
import { removeImage } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { renderError } from '../render-error.js';
import { openCliStore } from './store-command.js';

export interface RmiArgs {
  readonly refs: readonly string[];
  readonly force: boolean;
  readonly command: Command;
}

export async function rmiAction(ctx: CliContext, args: RmiArgs): Promise<void> {
  const store = await openCliStore(args.command, ctx);
  for (const ref of args.refs) {
    try {
      const result = await removeImage(store, ref, { force: args.force });
      for (const name of result.untagged) ctx.stdout.write(`Untagged: ${name}\n`);
      for (const digest of result.deleted) ctx.stdout.write(`Deleted: ${digest}\n`);
    } catch (error) {
      if (!isKilnError(error)) throw error;
      ctx.stderr.write(renderError(error, { verbose: false }));
      ctx.setExitCode(1);
    }
  }
}
