/**
 * `kiln logout REGISTRY`: remove the registry's credentials from kiln's auth file.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RegistryCommandOptions } from './registry-options.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('logout')
    .description("Log out from a registry (removes its credentials from kiln's auth file)")
    .argument('<registry>', 'registry host[:port]')
    .option(
      '--authfile <file>',
      "kiln's auth file (default: $KILN_AUTH_FILE or $XDG_CONFIG_HOME/kiln/auth.json)",
    )
    .action(async (registryText: string, options: RegistryCommandOptions) => {
      const { logoutAction } = await import('../actions/logout.js');
      await logoutAction(ctx, { registryText, options });
    });
}
