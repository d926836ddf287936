/**
 * Shared runner of the `kiln build` benchmarks (bench/build-*.ts): one scenario (a context and a list
 * of steps: cold, unchanged, or after a change) built by kiln as the unprivileged test user, by buildah
 * (rootless as the same user by default, or as root; overlay or vfs storage; chroot isolation;
 * --layers so unchanged builds hit its cache) and by docker with BuildKit when a docker daemon answers.
 * Every builder runs in the same process, one after another per run; the median of `runs` is printed
 * with the ratio against each reference. Never asserts on time. Root is needed (to switch users).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeBaseArchive } from '../test/differential/base-image.js';
import {
  type Buildah,
  buildahBuild,
  buildahUnavailable,
  openBuildah,
} from '../test/differential/buildah-builder.js';
import {
  chownToTestUser,
  type KilnHome,
  kilnBuild,
  kilnUnavailable,
  makeKilnHome,
} from '../test/differential/kiln-builder.js';
import { measure, medianSample, type Sample, sampleRatio } from './lib/measure.js';

const run = promisify(execFile);

/** One measured build of a scenario. */
export interface BenchStep {
  readonly label: string;
  /** `cold`: every builder starts without any cache; `warm`: right after the previous step's build. */
  readonly cache: 'cold' | 'warm';
  /** Changes the context before the build (not timed). */
  readonly change?: (context: string, run: number) => Promise<void>;
}

/** A benchmark scenario. */
export interface BenchScenario {
  readonly title: string;
  /** Fills the (empty) context directory, Dockerfile included (not timed). */
  readonly makeContext: (context: string) => Promise<void>;
  readonly steps: readonly BenchStep[];
  /** Extra `buildah build` flags (e.g. --jobs for parallel stages). */
  readonly buildahArgs?: readonly string[];
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  readonly runs: number;
  readonly dir: string;
  readonly buildahDriver: 'vfs' | 'overlay';
  /** Who runs buildah: the test user (rootless, like kiln) or root. */
  readonly buildahUser: 'test-user' | 'root';
}

/** {@link RunOptions} from the command-line options every build benchmark takes. */
export function runOptions(opts: Readonly<Record<string, string>>): RunOptions {
  return {
    runs: Number(opts.runs ?? '3'),
    dir: opts.dir ?? '/tmp',
    buildahDriver: opts.driver === 'vfs' ? 'vfs' : 'overlay',
    buildahUser: opts.user === 'root' ? 'root' : 'test-user',
  };
}

/** A build tool under test: `reset` drops all its caches (not timed), `build` builds the context. */
interface Builder {
  readonly name: string;
  reset(): Promise<void>;
  build(context: string): Promise<void>;
}

function kilnBuilder(work: string): Builder | string {
  const why = kilnUnavailable();
  if (why !== undefined) return why;
  let home: KilnHome | undefined;
  let n = 0;
  return {
    name: 'kiln',
    async reset() {
      await rm(join(work, 'kiln'), { recursive: true, force: true });
      home = await makeKilnHome(join(work, 'kiln'));
    },
    async build(context) {
      if (home === undefined) throw new Error('kiln builder used before reset');
      await kilnBuild(home, { context, tag: `bench-${n++}`, timeoutMs: 3_600_000 });
    },
  };
}

function buildahBuilder(work: string, options: RunOptions, extra: readonly string[]): Builder | string {
  const why = buildahUnavailable();
  if (why !== undefined) return why;
  const archive = join(work, 'base.tar');
  let buildah: Buildah | undefined;
  let n = 0;
  const storage = join(work, 'buildah');
  return {
    name: `buildah (${options.buildahDriver}${options.buildahUser === 'root' ? ', root' : ''})`,
    async reset() {
      if (buildah !== undefined) await buildah.run(['rm', '--all']).catch(() => '');
      await rm(storage, { recursive: true, force: true });
      buildah = await openBuildah(storage, archive, {
        driver: options.buildahDriver,
        user: options.buildahUser,
        cacheableBase: true,
      });
    },
    async build(context) {
      if (buildah === undefined) throw new Error('buildah builder used before reset');
      await buildahBuild(buildah, { context, tag: `bench-${n++}`, extraArgs: ['--layers', ...extra] });
    },
  };
}

function dockerBuilder(work: string): Builder | string {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'no docker daemon answers';
  const archive = join(work, 'base.tar');
  const env = { ...process.env, DOCKER_BUILDKIT: '1' };
  let n = 0;
  return {
    name: 'docker (BuildKit)',
    async reset() {
      await run('docker', ['builder', 'prune', '--all', '--force'], { env });
      const dockerArchive = join(work, 'base-docker.tar');
      await rm(dockerArchive, { force: true });
      await run('skopeo', [
        'copy',
        `oci-archive:${archive}`,
        `docker-archive:${dockerArchive}:busybox:latest`,
      ]);
      await run('docker', ['load', '--quiet', '--input', dockerArchive], { env });
    },
    async build(context) {
      await run('docker', ['build', '--quiet', '--tag', `kiln-bench:${n++}`, context], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    },
  };
}

function fmt(sample: Sample): string {
  return `${(sample.ms / 1000).toFixed(2).padStart(7)} s   cpu ${(sample.cpuMs / 1000).toFixed(2).padStart(7)} s`;
}

/**
 * Runs the scenario with every available builder and prints medians and ratios: reference time / kiln
 * time, so >1 means kiln is faster (wall) or does less work (cpu).
 */
export async function runScenario(scenario: BenchScenario, options: RunOptions): Promise<void> {
  const work = await mkdtemp(join(options.dir, 'kiln-bench-build-'));
  try {
    await chmod(work, 0o755);
    await writeBaseArchive(work, join(work, 'base.tar'));
    await chmod(join(work, 'base.tar'), 0o644);
    const candidates: [string, Builder | string][] = [
      ['kiln', kilnBuilder(work)],
      ['buildah', buildahBuilder(work, options, scenario.buildahArgs ?? [])],
      ['docker', dockerBuilder(work)],
    ];
    console.log(`# ${scenario.title} (median of ${options.runs})`);
    const builders: Builder[] = [];
    for (const [name, builder] of candidates) {
      if (typeof builder === 'string') console.log(`${name}: skipped: ${builder}`);
      else builders.push(builder);
    }
    const samples = new Map<string, Sample[]>();
    for (let r = 0; r < options.runs; r++) {
      for (const builder of builders) {
        // Each builder gets its own copy of the context, owned by the test user (kiln runs as it).
        const context = join(work, 'ctx', builder.name.split(' ')[0]!);
        await rm(context, { recursive: true, force: true });
        await mkdir(context, { recursive: true });
        await scenario.makeContext(context);
        // Once: chown updates every file's ctime, which would defeat kiln's context hash cache on
        // the warm steps (changes below rewrite existing files, which keeps their owner).
        await chownToTestUser(context);
        for (const step of scenario.steps) {
          if (step.cache === 'cold') await builder.reset();
          await step.change?.(context, r);
          const key = `${step.label}\0${builder.name}`;
          const sample = await measure(() => builder.build(context));
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }
    for (const step of scenario.steps) {
      const median = (b: Builder): Sample | undefined => {
        const list = samples.get(`${step.label}\0${b.name}`);
        return list === undefined ? undefined : medianSample(list);
      };
      console.log(`## ${step.label}`);
      for (const builder of builders) console.log(`  ${builder.name.padEnd(20)} ${fmt(median(builder)!)}`);
      const kiln = builders.find((b) => b.name === 'kiln');
      if (kiln === undefined) continue;
      for (const reference of builders.filter((b) => b !== kiln)) {
        console.log(
          `  kiln vs ${reference.name.padEnd(18)} ${sampleRatio(median(kiln)!, median(reference)!)}`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
