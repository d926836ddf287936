/**
 * `kiln tag SOURCE TARGET`: give a stored image another name.
 */
import type { Command } from 'commander';
import { tagImage } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { openCliStore } from './store-command.js';

export interface TagArgs {
  readonly source: string;
  readonly target: string;
  readonly command: Command;
}

export async function tagAction(ctx: CliContext, args: TagArgs): Promise<void> {
  const store = await openCliStore(args.command, ctx);
  await tagImage(store, args.source, args.target);
}
