/**
 * `kiln build [OPTIONS] CONTEXT|-` — flag-compatible with `docker build`.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { renderDiagnostic } from '../../diagnostics/render.js';
import { checkDockerfile } from '../../dockerfile/stages/index.js';
import { parsePlatform } from '../../oci/platform.js';
import { type BuildFlags, collect, toBuildCliOptions, toBuildRunOptions } from '../build-options.js';
import { runBuildCommand } from '../build-run.js';
import type { CliContext } from '../context.js';
import { readTextInput } from '../io/read-input.js';
import { reportKilnError } from '../report.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('build')
    .description('build an image from a Dockerfile')
    .argument('<context>', 'build context directory, or - to read a context tar or a Dockerfile from stdin')
    .option('-f, --file <path>', 'Dockerfile (default: CONTEXT/Dockerfile; - for stdin)')
    .option('-t, --tag <name>', 'name and optionally tag (name:tag); repeatable', collect, [])
    .option('--build-arg <key[=value]>', 'set a build-time variable; repeatable', collect, [])
    .option('--target <stage>', 'build this stage (default: the last)')
    .option('--platform <os/arch[/variant]>', 'target platform')
    .option('--label <key=value>', 'set image metadata; repeatable', collect, [])
    .option('--check', 'parse, validate and resolve the Dockerfile; build nothing')
    .option('--no-cache', 'do not use the build cache')
    .option('--no-cache-filter <stage>', 'do not use the cache for these stages; repeatable', collect, [])
    .option('--pull', 'always fetch base images from their registry')
    .option('--network <mode>', 'network of RUN steps: default, host or none')
    .option(
      '-o, --output <spec>',
      'output: type=image | type=registry | type=oci|docker,dest=F | type=local,dest=DIR | type=tar,dest=F | DIR | -; repeatable',
      collect,
      [],
    )
    .option('--push', 'push the -t names to their registries')
    .option('--iidfile <file>', 'write the image ID to this file')
    .option('--metadata-file <file>', 'write build result metadata to this file')
    .option('--progress <mode>', 'progress output: auto, tty, plain, rawjson or quiet')
    .option('-q, --quiet', 'no progress; print the image ID on success')
    .option('--isolation <mode>', 'RUN isolation: auto, oci, chroot or no-pid-sandbox')
    .option('--snapshotter <kind>', 'snapshots: auto, overlay, fuse-overlayfs or copy')
    .option('--jobs <n>', 'steps running at once (default 4)')
    .option('--source-date-epoch <seconds>', 'SOURCE_DATE_EPOCH for reproducible timestamps')
    .option(
      '--secret <spec>',
      'secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VAR; repeatable',
      collect,
      [],
    )
    .option(
      '--ssh <spec>',
      'ssh agent for RUN --mount=type=ssh: default, ID=SOCKET or ID=KEYFILE; repeatable',
      collect,
      [],
    )
    .option(
      '--build-context <name=value>',
      'additional build context / base image mapping; repeatable',
      collect,
      [],
    )
    .action(async (contextArg: string, flags: BuildFlags, command: Command) => {
      const options = toBuildCliOptions(contextArg, flags, ctx.cwd, ctx.env);
      if (!flags.check) {
        const root = (command.optsWithGlobals() as { root?: string }).root;
        await runBuildCommand(ctx, {
          cli: options,
          run: toBuildRunOptions(flags, ctx.env),
          ...(root === undefined ? {} : { root }),
        });
        return;
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
