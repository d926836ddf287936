/**
 * `kiln build` benchmark: `COPY . /data/` of a 20,000-file, ~150 MB context — cold (no cache), unchanged
 * (everything cached) and with one file changed (the COPY and what follows rebuild) — against buildah and
 * docker with BuildKit measured in the same run (see build-runner.ts). Prints ratios; never asserts on time.
 * Run as root: npx tsx bench/build-copy-many.ts [files=20000] [mb=150] [runs=3] [dir=/tmp] [driver=overlay|vfs] [user=test-user|root]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOptions, runScenario } from './build-runner.js';
import { options } from './lib/measure.js';

const opts = options({
  files: '20000',
  mb: '150',
  runs: '3',
  dir: '/tmp',
  driver: 'overlay',
  user: 'test-user',
});
const files = Number(opts.files);
const perFile = Math.floor((Number(opts.mb) * 1024 * 1024) / files);

await runScenario(
  {
    title: `COPY of ${files} files (${opts.mb} MB)`,
    async makeContext(context) {
      await writeFile(
        join(context, 'Dockerfile'),
        'FROM busybox\nCOPY . /data/\nRUN ls /data > /listing.txt\n',
      );
      const chunk = Buffer.alloc(perFile, 'x');
      for (let i = 0; i < files; i++) {
        const dir = join(context, 'src', `d${i % 100}`, `e${i % 9}`);
        await mkdir(dir, { recursive: true });
        chunk.writeUInt32LE(i, 0);
        await writeFile(join(dir, `f${i}.bin`), chunk);
      }
    },
    steps: [
      { label: 'COPY many files, cold', cache: 'cold' },
      { label: 'COPY many files, unchanged', cache: 'warm' },
      {
        label: 'COPY many files, one file changed',
        cache: 'warm',
        change: (context, run) => writeFile(join(context, 'src', 'd0', 'e0', 'f0.bin'), `changed ${run}\n`),
      },
    ],
  },
  runOptions(opts),
);
