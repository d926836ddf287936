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
 * or undefined when this process is already inside (or real root of the initial namespace) and should build.
 */
export async function enterBuildNamespace(ctx: CliContext): Promise<number | undefined> {
  if (contextFromEnv(ctx.env) !== undefined) return undefined;
  // Only real root builds in place: uid 0 of a container's user namespace enters a nested one.
  const plan = planIdMappings(await identityOfCurrentUser());
  if (plan.kind === 'root') return undefined;
  const result = await enterUserNamespace({
    plan,
    host: await gatherPrerequisites(ctx.env),
    argv: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    env: ctx.env,
    cwd: ctx.cwd,
  });
  return result.kind === 'exited' ? result.exitCode : undefined;
}
