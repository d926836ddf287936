/**
 * Context hashing throughput: builds a ~150 MB / 20,000-file context, then hashes `COPY . /` cold (empty
 * content-hash cache) and warm (cache filled), printing times. Reference: `sha256sum` over the same
 * files (coreutils), when installed. No assertions on time.
 * Run: npx tsx bench/context-hash.ts [files=20000] [totalMB=150]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSourcesDetailed, openBuildContext, resolveSources } from '../src/context/index.js';
import { removeTree } from '../src/context/remove-tree.js';

const files = Number(process.argv[2] ?? 20_000);
const totalMB = Number(process.argv[3] ?? 150);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms`);
  return { value, ms };
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'kiln-bench-context-'));
  try {
    const ctx = join(base, 'ctx');
    const cache = join(base, 'cache');
    const perFile = Math.floor((totalMB * 1024 * 1024) / files);
    const chunk = Buffer.alloc(perFile, 7);
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < files; i++) {
      const dir = join(ctx, `d${i % 100}`, `e${i % 13}`);
      await mkdir(dir, { recursive: true });
      chunk.writeUInt32LE(i, 0);
      const file = join(dir, `f${i}.bin`);
      await writeFile(file, chunk);
      await utimes(file, old, old);
    }
    await writeFile(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
    // ctime is "now" and cannot be set back: wait out the racy window so the cold run can fill the cache.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    console.log(`context: ${files} files, ${((perFile * files) / 1024 / 1024).toFixed(0)} MB`);
    const context = await openBuildContext({ source: { kind: 'dir', path: ctx } });
    const run = async () => hashSourcesDetailed(await resolveSources(context, ['.']), { cacheDir: cache });
    const cold = await timed('kiln cold (empty cache)', run);
    const warm = await timed('kiln warm (cache filled)', run);
    const nocache = await timed('kiln without cache dir', async () =>
      hashSourcesDetailed(await resolveSources(context, ['.'])),
    );
    console.log(
      `cold cache ${JSON.stringify(cold.value.cache)}, warm cache ${JSON.stringify(warm.value.cache)}`,
    );
    if (cold.value.digest !== warm.value.digest || cold.value.digest !== nocache.value.digest) {
      throw new Error('digests differ between runs');
    }
    try {
      const ref = await timed('reference: find | xargs sha256sum', async () =>
        execFileSync('sh', ['-c', `cd '${ctx}' && find . -type f -print0 | xargs -0 sha256sum > /dev/null`]),
      );
      console.log(`ratio kiln cold / sha256sum: ${(cold.ms / ref.ms).toFixed(2)}`);
    } catch {
      console.log('sha256sum not available: no reference');
    }
    console.log(`warm speed-up over cold: ${(cold.ms / warm.ms).toFixed(1)}x`);
  } finally {
    await removeTree(base);
  }
}

await main();
