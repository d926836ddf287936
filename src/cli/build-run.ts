/**
 * `kiln build` without `--check`, inside kiln's user namespace (see build-namespace.ts): one `build()`
 * call with a progress renderer on stderr; `-q` prints only the image ID.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from '../build/index.js';
import { parsePlatform } from '../oci/platform.js';
import { createProgressRenderer, systemClock } from '../progress/index.js';
import { type BuildFlags, toBuildCliOptions, toBuildRunOptions } from './build-options.js';
import type { CliContext } from './context.js';
import { readTextInput } from './io/read-input.js';

export interface RunBuildCommandOptions {
  readonly contextArg: string;
  readonly flags: BuildFlags;
  /** The global `--root`. */
  readonly root?: string;
}

/** Runs a build for the CLI. */
export async function runBuildCommand(ctx: CliContext, options: RunBuildCommandOptions): Promise<void> {
  const cli = toBuildCliOptions(options.contextArg, options.flags, ctx.cwd, ctx.env);
  const run = toBuildRunOptions(options.flags, ctx.env);
  const stdinContext = cli.context === '-';
  const dockerfileText = cli.dockerfile === '-' && !stdinContext ? await readTextInput(ctx, '-') : undefined;
  const renderer = createProgressRenderer({
    mode: run.progress,
    stream: ctx.stderr,
    clock: systemClock(),
    sources: (file) => {
      if (dockerfileText !== undefined) return dockerfileText;
      const path = isAbsolute(file) ? file : join(cli.context, file);
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  let reported = false;
  try {
    const result = await build(
      {
        context: stdinContext
          ? { kind: 'stdin', stream: ctx.stdin as Readable }
          : { kind: 'dir', path: cli.context },
        ...(cli.dockerfile === '-' || stdinContext ? {} : { dockerfile: cli.dockerfile }),
        ...(dockerfileText === undefined ? {} : { dockerfileText }),
        buildArgs: cli.buildArgs,
        ...(cli.target === undefined ? {} : { target: cli.target }),
        ...(cli.platform === undefined ? {} : { platform: parsePlatform(cli.platform) }),
        labels: cli.labels,
        tags: cli.tags,
        noCache: run.noCache,
        noCacheFilter: run.noCacheFilter,
        pull: run.pull,
        ...(run.network === undefined ? {} : { network: run.network }),
        outputs: run.outputs,
        isolation: run.isolation,
        snapshotter: run.snapshotter,
        ...(run.jobs === undefined ? {} : { jobs: run.jobs }),
        ...(run.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: run.sourceDateEpoch }),
        buildContexts: run.buildContexts,
        secrets: run.secrets,
        ssh: run.ssh,
        extraHosts: run.extraHosts,
        annotations: run.annotations,
        ...(run.shmSizeBytes === undefined ? {} : { shmSizeBytes: run.shmSizeBytes }),
        ulimits: run.ulimits,
        ...(options.root === undefined ? {} : { storeRoot: options.root }),
        env: ctx.env,
        cwd: ctx.cwd,
        // The registry modules load only when the build pulls or pushes.
        registryClient: async (registry) =>
          (await import('./actions/registry-command.js')).registryClient(ctx, registry, {}),
        stdout: ctx.stdout,
        ...(run.iidFile === undefined ? {} : { iidFile: run.iidFile }),
        ...(run.metadataFile === undefined ? {} : { metadataFile: run.metadataFile }),
      },
      {
        signal: ctx.signal,
        onEvent: (event) => {
          if (event.kind === 'build-error') reported = true;
          renderer.onEvent(event);
        },
      },
    );
    renderer.close();
    if (run.quiet) ctx.stdout.write(`${result.configDigest}\n`);
  } catch (error) {
    renderer.close();
    // build() reported the failure as a build-error event, which every renderer shows (rawjson as
    // JSON); printing it again would duplicate it (or break a rawjson stream).
    if (reported) {
      ctx.setExitCode(1);
      return;
    }
    throw error;
  }
}
