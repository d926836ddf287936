/**
 * `kiln build` benchmark: a small build (busybox base, a RUN, a COPY of a few files, config
 * instructions), cold (no cache at all) and unchanged (everything cached), against buildah and docker
 * with BuildKit measured in the same run (see build-runner.ts). Prints ratios; never asserts on time.
 * Run as root: npx tsx bench/build-small.ts [runs=3] [dir=/tmp] [driver=overlay|vfs] [user=test-user|root]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOptions, runScenario } from './build-runner.js';
import { options } from './lib/measure.js';

const opts = options({ runs: '3', dir: '/tmp', driver: 'overlay', user: 'test-user' });

await runScenario(
  {
    title: 'small build',
    async makeContext(context) {
      await writeFile(
        join(context, 'Dockerfile'),
        [
          'FROM busybox',
          'ENV APP=/app',
          'WORKDIR /app',
          'COPY a.txt b.txt ./',
          'RUN echo built > /app/built.txt && ls -l /app > /app/listing.txt',
          'LABEL org.example.bench=small',
          'CMD ["cat", "/app/built.txt"]',
          '',
        ].join('\n'),
      );
      await writeFile(join(context, 'a.txt'), 'a\n');
      await writeFile(join(context, 'b.txt'), 'b\n');
    },
    steps: [
      { label: 'small build, cold', cache: 'cold' },
      { label: 'small build, unchanged', cache: 'warm' },
    ],
  },
  runOptions(opts),
);
