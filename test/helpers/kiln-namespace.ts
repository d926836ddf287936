// For fixtures that run as an unprivileged user: re-executes the current script inside kiln's user
// namespace (exiting with the child's status), or returns the namespace context once inside.
import {
  contextFromEnv,
  enterUserNamespace,
  gatherPrerequisites,
  identityOfCurrentUser,
  type NamespaceContext,
  planIdMappings,
} from '../../src/userns/index.js';

export async function insideKilnNamespace(): Promise<NamespaceContext> {
  const context = contextFromEnv(process.env);
  if (context !== undefined) return context;
  const result = await enterUserNamespace({
    plan: planIdMappings(await identityOfCurrentUser(), { allowSingleId: true }),
    host: await gatherPrerequisites(process.env),
    argv: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    env: process.env,
  });
  process.exit(result.kind === 'exited' ? result.exitCode : 125);
}
