/**
 * `kiln rmi REF...`: untag images; an image no name refers to is deleted (its blobs go at `kiln prune`).
 */
import type { Command } from 'commander';
import { isKilnError } from '../../errors.js';
import { removeImage } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { renderError } from '../render-error.js';
import { openCliStore } from './store-command.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rmi')
    .description('Remove images from the local store')
    .argument('<ref...>', 'image references, digests or IDs')
    .option('-f, --force', 'remove an image given by ID or digest even when several tags refer to it')
    .action(async (refs: readonly string[], options: { readonly force?: boolean }, command: Command) => {
      const store = await openCliStore(command, ctx);
      for (const ref of refs) {
        try {
          const result = await removeImage(store, ref, { force: options.force === true });
          for (const name of result.untagged) ctx.stdout.write(`Untagged: ${name}\n`);
          for (const digest of result.deleted) ctx.stdout.write(`Deleted: ${digest}\n`);
        } catch (error) {
          if (!isKilnError(error)) throw error;
          ctx.stderr.write(renderError(error, { verbose: false }));
          ctx.setExitCode(1);
        }
      }
    });
}
