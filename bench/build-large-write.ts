/**
 * `kiln build` benchmark: one RUN step writing 200 MB (incompressible) into the image, cold — the cost
 * of turning a large change into a layer. Against buildah and docker with BuildKit measured in the same
 * run (see build-runner.ts). Prints ratios; never asserts on time.
 * Run as root: npx tsx bench/build-large-write.ts [mb=200] [runs=3] [dir=/tmp] [driver=overlay|vfs] [user=test-user|root]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOptions, runScenario } from './build-runner.js';
import { options } from './lib/measure.js';

const opts = options({ mb: '200', runs: '3', dir: '/tmp', driver: 'overlay', user: 'test-user' });

await runScenario(
  {
    title: `RUN writing ${opts.mb} MB`,
    async makeContext(context) {
      await writeFile(
        join(context, 'Dockerfile'),
        `FROM busybox\nRUN dd if=/dev/urandom of=/big.bin bs=1048576 count=${Number(opts.mb)} 2>/dev/null\n`,
      );
    },
    steps: [{ label: `RUN writing ${opts.mb} MB, cold`, cache: 'cold' }],
  },
  runOptions(opts),
);
