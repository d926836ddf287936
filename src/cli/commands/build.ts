/**
 * `kiln build [OPTIONS] CONTEXT|-` — flag-compatible with `docker build`.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { renderDiagnostic } from '../../diagnostics/render.js';
import { checkDockerfile } from '../../dockerfile/stages/index.js';
import { ErrorCode, KilnError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import { type BuildFlags, collect, toBuildCliOptions } from '../build-options.js';
import type { CliContext } from '../context.js';
import { readTextInput } from '../io/read-input.js';
import { reportKilnError } from '../report.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('build')
    .description('build an image from a Dockerfile')
    .argument('<context>', 'build context directory, or - to read the Dockerfile from stdin')
    .option('-f, --file <path>', 'Dockerfile (default: CONTEXT/Dockerfile; - for stdin)')
    .option('-t, --tag <name>', 'name and optionally tag (name:tag); repeatable', collect, [])
    .option('--build-arg <key[=value]>', 'set a build-time variable; repeatable', collect, [])
    .option('--target <stage>', 'build this stage (default: the last)')
    .option('--platform <os/arch[/variant]>', 'target platform')
    .option('--label <key=value>', 'set image metadata; repeatable', collect, [])
    .option('--check', 'parse, validate and resolve the Dockerfile; build nothing')
    .action(async (contextArg: string, flags: BuildFlags) => {
      const options = toBuildCliOptions(contextArg, flags, ctx.cwd, ctx.env);
      if (!flags.check) {
        throw new KilnError(ErrorCode.Usage, 'building images is not available in this version of kiln yet', {
          hint: 'use `kiln build --check` to validate a Dockerfile',
        });
      }
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
    });
}

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
