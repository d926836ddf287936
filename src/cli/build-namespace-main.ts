/**
 * The entry point of the build process that `kiln build` starts inside kiln's user namespace (see
 * build-namespace.ts). It gets the already parsed arguments (build-request.ts) and runs the build, so
 * it loads neither commander nor the other commands. Errors and exit codes are the CLI's (main.ts).
 */

import { decodeBuildRequest } from './build-request.js';
import { runBuildCommand } from './build-run.js';
import type { CliContext } from './context.js';
import { processContext } from './process-context.js';
import { renderError } from './render-error.js';

async function runBuildProcess(context: Omit<CliContext, 'setExitCode'>, requestArg: string | undefined) {
  let exitCode = 0;
  const ctx: CliContext = { ...context, setExitCode: (code) => (exitCode = code) };
  try {
    await runBuildCommand(ctx, decodeBuildRequest(requestArg));
  } catch (error) {
    ctx.stderr.write(renderError(error, { verbose: ctx.env.KILN_DEBUG === '1' }));
    return exitCode === 0 ? 1 : exitCode;
  }
  return exitCode;
}

process.exitCode = await runBuildProcess(processContext(), process.argv[2]);
