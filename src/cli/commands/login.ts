/**
 * `kiln login [-u USER] [-p PASS | --password-stdin] REGISTRY`: verify credentials against the
 * registry, then store them in kiln's auth file.
 */
import type { Command } from 'commander';
import type { LoginOptions } from '../actions/login.js';
import type { CliContext } from '../context.js';
import { withRegistryOptions } from './registry-options.js';

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('login')
      .description("Log in to a registry (credentials are checked, then saved in kiln's auth file)")
      .argument('<registry>', 'registry host[:port] (docker.io for Docker Hub)')
      .option('-u, --username <user>', 'username')
      .option('-p, --password <password>', 'password (prefer --password-stdin)')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(async (registryText: string, options: LoginOptions) => {
    const { loginAction } = await import('../actions/login.js');
    await loginAction(ctx, { registryText, options });
  });
}
