/**
 * `kiln build [OPTIONS] CONTEXT|-`. Refuses docker flags kiln does not implement, then either checks
 * the Dockerfile (`--check`) or builds in a process inside kiln's user namespace (handing it the parsed
 * arguments). The build library is imported only there, so the process that merely starts it stays
 * small.
 */
import type { Command } from 'commander';
import { enterBuildNamespace } from '../build-namespace.js';
import type { BuildFlags } from '../build-options.js';
import type { CliContext } from '../context.js';
import { assertDockerFlagsSupported, wantsCheck } from '../docker-build-flags.js';

export interface BuildArgs {
  readonly contextArg: string;
  readonly flags: BuildFlags;
  readonly command: Command;
}

export async function buildAction(ctx: CliContext, args: BuildArgs): Promise<void> {
  const { contextArg, flags, command } = args;
  assertDockerFlagsSupported(flags);
  if (wantsCheck(flags)) {
    const { runBuildCheck } = await import('../build-check.js');
    await runBuildCheck(ctx, { contextArg, flags });
    return;
  }
  const root = (command.optsWithGlobals() as { root?: string }).root;
  const request = { contextArg, flags, ...(root === undefined ? {} : { root }) };
  const exited = await enterBuildNamespace(ctx, request);
  if (exited !== undefined) {
    ctx.setExitCode(exited);
    return;
  }
  const { runBuildCommand } = await import('../build-run.js');
  await runBuildCommand(ctx, request);
}
