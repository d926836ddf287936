/**
 * A small program that embeds kiln as another tool would: it `import`s the package `kiln` from its own
 * node_modules (a symlink to this checkout), enters kiln's user namespace as README says, and is run as
 * the unprivileged test user; it prints one JSON line last, which the test reads.
 */
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_USER } from './cli.js';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

/** The tool's first lines: re-executes it inside kiln's user namespace (unless it already is, or is root). */
export const ENTER_NAMESPACE_PREAMBLE = `import {
  contextFromEnv,
  enterUserNamespace,
  gatherPrerequisites,
  identityOfCurrentUser,
  planIdMappings,
} from 'kiln';

if (contextFromEnv(process.env) === undefined && process.getuid() !== 0) {
  const entered = await enterUserNamespace({
    plan: planIdMappings(await identityOfCurrentUser()),
    host: await gatherPrerequisites(process.env),
    argv: process.argv,
    env: process.env,
  });
  if (entered.kind === 'exited') process.exit(entered.exitCode);
}
`;

/** Runs the tool with ARGS as the test user; resolves its last stdout line, parsed. */
export type LibraryTool = <T>(...args: string[]) => Promise<T>;

/**
 * Writes `home/tool/tool.mjs` (the preamble, then `body`) with kiln in its node_modules. `home` must be
 * handed over to the test user before the tool runs.
 */
export async function installLibraryTool(home: string, body: string): Promise<LibraryTool> {
  const tool = join(home, 'tool');
  await mkdir(join(tool, 'node_modules'), { recursive: true });
  await symlink(repoRoot(), join(tool, 'node_modules', 'kiln'));
  await writeFile(join(tool, 'tool.mjs'), `${ENTER_NAMESPACE_PREAMBLE}\n${body}`);
  return async <T>(...args: string[]): Promise<T> => {
    const { stdout } = await run(
      'runuser',
      ['-u', TEST_USER, '--', 'env', `HOME=${home}`, process.execPath, join(tool, 'tool.mjs'), ...args],
      { cwd: tool, timeout: 180_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
  };
}
