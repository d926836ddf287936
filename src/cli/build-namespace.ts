/**
 * The first thing a real `kiln build` does as an unprivileged user: start the build process
 * (build-namespace-main.ts) inside kiln's user namespace (subuid/subgid maps), handing it the parsed
 * arguments. Imports only src/userns, so this process loads little.
 */
import { fileURLToPath } from 'node:url';
import {
  contextFromEnv,
  enterUserNamespace,
  gatherPrerequisites,
  identityOfCurrentUser,
  planIdMappings,
} from '../userns/index.js';
import { type BuildRequest, encodeBuildRequest } from './build-request.js';
import type { CliContext } from './context.js';

/**
 * Runs the build in a process inside kiln's user namespace when needed. Returns the exit code of that
 * process, or undefined when this process is already inside (or real root of the initial namespace)
 * and should build.
 */
export async function enterBuildNamespace(
  ctx: CliContext,
  request: BuildRequest,
): Promise<number | undefined> {
  if (contextFromEnv(ctx.env) !== undefined) return undefined;
  // Only real root builds in place: uid 0 of a container's user namespace enters a nested one.
  const plan = planIdMappings(await identityOfCurrentUser());
  if (plan.kind === 'root') return undefined;
  const entry = fileURLToPath(new URL('./build-namespace-main.js', import.meta.url));
  const result = await enterUserNamespace({
    plan,
    host: await gatherPrerequisites(ctx.env),
    argv: [process.execPath, ...process.execArgv, entry, encodeBuildRequest(request)],
    env: ctx.env,
    cwd: ctx.cwd,
  });
  return result.kind === 'exited' ? result.exitCode : undefined;
}
