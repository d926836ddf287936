/**
 * `kiln logout REGISTRY`: remove the registry's credentials from kiln's auth file.
 */
import { removeCredential } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { credentialPaths, type RegistryCommandOptions, registryArgument } from './registry-command.js';

export interface LogoutArgs {
  readonly registryText: string;
  readonly options: RegistryCommandOptions;
}

export async function logoutAction(ctx: CliContext, args: LogoutArgs): Promise<void> {
  const { registryText, options } = args;
  const registry = registryArgument(registryText);
  const removed = await removeCredential(credentialPaths(ctx, options).kilnAuthFile, registry);
  ctx.stdout.write(
    removed ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`,
  );
}
