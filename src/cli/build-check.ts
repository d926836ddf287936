/**
 * `kiln build --check` (docker's `--call=check`): parse, validate and resolve the Dockerfile, print
 * every diagnostic with a caret; build nothing and enter no namespace.
 */
import { relative } from 'node:path';
import { renderDiagnostic } from '../diagnostics/render.js';
import { checkDockerfile } from '../dockerfile/stages/index.js';
import { parsePlatform } from '../oci/platform.js';
import { type BuildFlags, toBuildCliOptions } from './build-options.js';
import type { CliContext } from './context.js';
import { readTextInput } from './io/read-input.js';
import { reportKilnError } from './report.js';

export interface BuildCheckArgs {
  readonly contextArg: string;
  readonly flags: BuildFlags;
}

export async function runBuildCheck(ctx: CliContext, args: BuildCheckArgs): Promise<void> {
  const options = toBuildCliOptions(args.contextArg, args.flags, ctx.cwd, ctx.env);
  const text = await readTextInput(ctx, options.dockerfile);
  const file = options.dockerfile === '-' ? '<stdin>' : displayPath(ctx.cwd, options.dockerfile);
  await reportKilnError(ctx, { source: text }, () => {
    const platform = options.platform === undefined ? undefined : parsePlatform(options.platform);
    const result = checkDockerfile(text, {
      file,
      buildArgs: options.buildArgs,
      ...(options.target === undefined ? {} : { target: options.target }),
      ...(platform === undefined ? {} : { targetPlatform: platform }),
    });
    let errors = 0;
    for (const diagnostic of result.diagnostics) {
      if (diagnostic.severity === 'error') errors += 1;
      ctx.stderr.write(
        renderDiagnostic(
          {
            severity: diagnostic.severity,
            code: diagnostic.code,
            message: diagnostic.message,
            file: diagnostic.file,
            ...(diagnostic.range ? { range: diagnostic.range } : {}),
            ...(diagnostic.url ? { detail: diagnostic.url } : {}),
          },
          { source: text },
        ),
      );
    }
    const stageName = result.target.name ?? `#${result.target.index}`;
    ctx.stderr.write(
      `check: ${result.stages.length} stage(s), target ${stageName} needs ${result.reachable.length}; ` +
        `${errors} error(s), ${result.diagnostics.length - errors} warning(s)\n`,
    );
    if (errors > 0) ctx.setExitCode(1);
  });
}

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
