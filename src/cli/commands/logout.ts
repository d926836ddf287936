/**
 * `kiln logout REGISTRY`: remove the registry's credentials from kiln's auth file.
 */
import type { Command } from 'commander';
import { removeCredential } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { credentialPaths, type RegistryCommandOptions, registryArgument } from './registry-command.js';

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
      const registry = registryArgument(registryText);
      const removed = await removeCredential(credentialPaths(ctx, options).kilnAuthFile, registry);
      ctx.stdout.write(
        removed ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`,
      );
    });
}
