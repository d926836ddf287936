/**
 * `kiln build [OPTIONS] CONTEXT|-` — flag-compatible with `docker build` / `docker buildx build`. Only
 * the definitions live here; the work is imported when the command runs (../actions/build.ts).
 */
import { type Command, Option } from 'commander';
import type { BuildFlags } from '../build-options.js';
import type { CliContext } from '../context.js';
import { ACCEPTED_DOCKER_FLAGS, REFUSED_DOCKER_FLAGS } from '../docker-build-flags.js';
import { collect } from '../option-values.js';

function defineOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'Dockerfile (default: CONTEXT/Dockerfile; - for stdin)')
    .option('-t, --tag <name>', 'name and optionally tag (name:tag); repeatable', collect, [])
    .option('--build-arg <key[=value]>', 'set a build-time variable; repeatable', collect, [])
    .option('--target <stage>', 'build this stage (default: the last)')
    .option('--platform <os/arch[/variant]>', 'target platform')
    .option('--label <key=value>', 'set image metadata; repeatable', collect, [])
    .option(
      '--annotation <[manifest:]key=value>',
      'add an annotation to the image manifest; repeatable',
      collect,
      [],
    )
    .option(
      '--add-host <host:ip>',
      'add a host-to-IP mapping to /etc/hosts of RUN steps; repeatable',
      collect,
      [],
    )
    .option('--shm-size <size>', 'size of /dev/shm in RUN steps (e.g. 128m; default 64m)')
    .option(
      '--ulimit <name=soft[:hard]>',
      'resource limit of RUN steps, e.g. nofile=1024:2048; repeatable',
      collect,
      [],
    )
    .option('--check', 'parse, validate and resolve the Dockerfile; build nothing')
    .option('--call <method>', 'build (default) or check (same as --check)')
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
    .option('--isolation <mode>', 'RUN isolation: auto (or default), oci, chroot or no-pid-sandbox')
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
    .option('--provenance [value]', 'only false is accepted: kiln attaches no provenance attestation')
    .option('--sbom [value]', 'only false is accepted: kiln attaches no SBOM attestation');
}

function defineDockerCompatibility(command: Command): Command {
  for (const flag of ACCEPTED_DOCKER_FLAGS) {
    const option = new Option(flag.spec, flag.note);
    command.addOption(flag.spec.includes('<') ? option.argParser(collect).default(undefined) : option);
  }
  for (const flag of REFUSED_DOCKER_FLAGS) command.addOption(new Option(flag.spec).hideHelp());
  return command.addHelpText(
    'after',
    `\ndocker build flags kiln refuses (E_USAGE, never ignored): ${REFUSED_DOCKER_FLAGS.map((f) => f.name).join(', ')}\n`,
  );
}

export function register(program: Command, ctx: CliContext): void {
  defineDockerCompatibility(
    defineOptions(
      program
        .command('build')
        .description('build an image from a Dockerfile')
        .argument(
          '<context>',
          'build context directory, or - to read a context tar or a Dockerfile from stdin',
        ),
    ),
  ).action(async (contextArg: string, flags: BuildFlags, command: Command) => {
    const { buildAction } = await import('../actions/build.js');
    await buildAction(ctx, { contextArg, flags, command });
  });
}
