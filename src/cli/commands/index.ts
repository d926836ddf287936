/**
 * Every CLI command module, in the order `kiln --help` lists them. Each module exports
 * `register(program: Command, ctx: CliContext): void`. Add one import + one entry per command.
 */
import type { CommandModule } from '../context.js';

export const commands: readonly CommandModule[] = [];
