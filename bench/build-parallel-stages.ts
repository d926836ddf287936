/**
 * `kiln build` benchmark: three independent stages (each a CPU-bound RUN) merged by COPY --from into a
 * final stage, cold. kiln runs independent stages in parallel by default; buildah gets `--jobs 3` so it
 * may too; docker with BuildKit is parallel by design. See build-runner.ts. Never asserts on time.
 * Run as root: npx tsx bench/build-parallel-stages.ts [mb=64] [runs=3] [dir=/tmp] [driver=overlay|vfs] [user=test-user|root]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOptions, runScenario } from './build-runner.js';
import { options } from './lib/measure.js';

const opts = options({ mb: '64', runs: '3', dir: '/tmp', driver: 'overlay', user: 'test-user' });
const stage = (name: string): string =>
  `FROM busybox AS ${name}\nRUN head -c ${Number(opts.mb) * 1024 * 1024} /dev/urandom | sha256sum > /${name}.sum\n`;

await runScenario(
  {
    title: `three parallel stages (${opts.mb} MB hashed each)`,
    async makeContext(context) {
      await writeFile(
        join(context, 'Dockerfile'),
        `${stage('one')}${stage('two')}${stage('three')}FROM busybox\n` +
          'COPY --from=one /one.sum /sums/\nCOPY --from=two /two.sum /sums/\nCOPY --from=three /three.sum /sums/\n',
      );
    },
    steps: [{ label: 'three parallel stages, cold', cache: 'cold' }],
    buildahArgs: ['--jobs', '3'],
  },
  runOptions(opts),
);
