/**
 * `kiln pull [--platform P] REFERENCE`: fetch an image into the local store and tag it.
 */
import type { Command } from 'commander';
import type { PullOptions } from '../actions/pull.js';
import type { CliContext } from '../context.js';
import { withRegistryOptions } from './registry-options.js';

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('pull')
      .description('Pull an image from a registry into the local store')
      .argument('<reference>', 'image reference, e.g. alpine:3.20 or localhost:5000/app@sha256:…')
      .option(
        '--platform <os/arch[/variant]>',
        'platform to pull from a multi-platform image (default: host)',
      ),
  ).action(async (text: string, options: PullOptions, command: Command) => {
    const { pullAction } = await import('../actions/pull.js');
    await pullAction(ctx, { text, options, command });
  });
}
