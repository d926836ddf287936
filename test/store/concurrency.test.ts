import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openStore, prune, resolveImage } from '../../src/store/index.js';
import { repoRoot } from '../helpers/paths.js';
import { tempRoot } from './store-fixtures.js';

/** The worker beside this file: `.ts` when run from source (tsx), `.js` when run compiled. */
const WORKER = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? './concurrent-worker.ts' : './concurrent-worker.js',
    import.meta.url,
  ),
);

interface Worker {
  readonly done: Promise<{ code: number | null; stderr: string }>;
  readonly child: ReturnType<typeof spawn>;
  readonly firstLine: Promise<string>;
}

function startWorker(args: readonly string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: repoRoot(),
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const firstLine = new Promise<string>((resolve) =>
    child.stdout.once('data', (c: Buffer) => resolve(c.toString())),
  );
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done, firstLine };
}

describe('store under concurrent processes', () => {
  it('keeps every tag and blob intact when several processes write, tag and prune at once', async () => {
    const root = tempRoot();
    try {
      await openStore({ root: root.dir });
      const writers = 5;
      const perWriter = 4;
      const workers = [
        ...Array.from({ length: writers }, (_, id) =>
          startWorker([root.dir, 'tag', String(id), String(perWriter)]),
        ),
        startWorker([root.dir, 'prune', 'gc', '20']),
      ];
      for (const worker of workers) {
        const { code, stderr } = await worker.done;
        assert.equal(code, 0, stderr);
      }
      const store = await openStore({ root: root.dir });
      const index = JSON.parse(readFileSync(store.paths.indexFile, 'utf8'));
      const names: string[] = index.manifests.map(
        (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
      );
      const expected = ['example.com/shared:latest'];
      for (let id = 0; id < writers; id++) {
        expected.push(`example.com/w${id}:latest`);
        for (let i = 0; i < perWriter; i++) expected.push(`example.com/w${id}:t${i}`);
      }
      assert.deepEqual([...names].sort(), expected.sort());
      for (const name of names) {
        const image = await resolveImage(store, name);
        for (const layer of image.manifest.layers) assert.ok(await store.hasBlob(layer.digest), name);
      }
      const blobsDir = join(store.paths.blobsDir, 'sha256');
      for (const hex of readdirSync(blobsDir)) {
        const actual = createHash('sha256')
          .update(readFileSync(join(blobsDir, hex)))
          .digest('hex');
        assert.equal(actual, hex, `blob ${hex} is corrupt`);
      }
      assert.deepEqual(readdirSync(store.paths.tmpDir), []);
      assert.deepEqual(readdirSync(store.paths.locksDir), []);
    } finally {
      root.cleanup();
    }
  });

  it('an interrupted write leaves only a temp file, which prune removes', async () => {
    const root = tempRoot();
    try {
      const store = await openStore({ root: root.dir });
      const worker = startWorker([root.dir, 'hang', 'x', '1']);
      assert.equal((await worker.firstLine).trim(), 'writing');
      const temps = readdirSync(store.paths.tmpDir);
      assert.equal(temps.length, 1);
      // Readable.from reads ahead, so 'writing' can come before the first chunk reached the file.
      const temp = join(store.paths.tmpDir, temps[0]!);
      for (let i = 0; i < 500 && statSync(temp).size < 4096; i++) await sleep(10);
      assert.equal(statSync(temp).size, 4096);
      assert.deepEqual(
        (await prune(store)).removedTempFiles,
        0,
        `a live writer keeps its temp file ${temps} (writer pid ${worker.child.pid})`,
      );
      worker.child.kill('SIGKILL');
      await worker.done;
      assert.deepEqual(
        readdirSync(join(store.paths.blobsDir)).flatMap((d) => readdirSync(join(store.paths.blobsDir, d))),
        [],
      );
      const result = await prune(store);
      assert.equal(result.removedTempFiles, 1);
      assert.equal(result.bytesFreed, 4096);
      assert.deepEqual(readdirSync(store.paths.tmpDir), []);
    } finally {
      root.cleanup();
    }
  });
});
