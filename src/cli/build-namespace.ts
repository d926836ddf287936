/**
 * The first thing a real `kiln build` does as an unprivileged user: re-execute the CLI inside kiln's
 * user namespace (subuid/subgid maps). Imports only src/userns, so this process loads little.
 */
import {
  contextFromEnv,
  enterUserNamespace,
  gatherPrerequisites,
  identityOfCurrentUser,
  planIdMappings,
} from '../userns/index.js';
import type { CliContext } from './context.js';

/**
 * Re-executes the CLI inside kiln's user namespace when needed. Returns the exit code of the child,
 * or undefined when this process is already inside (or real root) and should build.
 */
export async function enterBuildNamespace(ctx: CliContext): Promise<number | undefined> {
  if (contextFromEnv(ctx.env) !== undefined || process.getuid?.() === 0) return undefined;
  const result = await enterUserNamespace({
    plan: planIdMappings(await identityOfCurrentUser()),
    host: await gatherPrerequisites(ctx.env),
    argv: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    env: ctx.env,
    cwd: ctx.cwd,
  });
  return result.kind === 'exited' ? result.exitCode : undefined;
}
