/**
 * Layer engine throughput: builds a ~200 MB / 5,000-file tree, diffs it into a tar (compare mode against
 * an empty lower), applies that tar to a fresh directory, and prints MB/s. Reference: GNU tar on the same
 * data when installed (buildah has no cheap one-shot equivalent, so it is not measured).
 * Run: npx tsx bench/layer-apply-diff.ts [files=5000] [totalMB=200]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pipeline } from 'node:stream/promises';
import { applyLayer } from '../src/layer/apply.js';
import { diffToLayer } from '../src/layer/diff/diff-to-layer.js';
import { nativeOwnership, xattrOwnership } from '../src/layer/ownership.js';

const files = Number(process.argv[2] ?? 5000);
const totalMB = Number(process.argv[3] ?? 200);

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'kiln-bench-layer-'));
  try {
    const tree = join(base, 'tree');
    const empty = join(base, 'empty');
    await mkdir(empty);
    const perFile = Math.floor((totalMB * 1024 * 1024) / files);
    const chunk = Buffer.alloc(perFile);
    for (let i = 0; i < files; i++) {
      const dir = join(tree, `d${i % 50}`, `e${i % 7}`);
      await mkdir(dir, { recursive: true });
      chunk.writeUInt32LE(i, 0);
      await writeFile(join(dir, `f${i}`), chunk);
    }
    const ownership = process.getuid?.() === 0 ? nativeOwnership() : xattrOwnership();
    const tarPath = join(base, 'layer.tar');
    let t = performance.now();
    const { stream, result } = diffToLayer({ upper: tree, lower: [empty], mode: 'compare', ownership });
    const { createWriteStream, createReadStream } = await import('node:fs');
    await pipeline(stream, createWriteStream(tarPath));
    const { size } = await result;
    const diffMs = performance.now() - t;
    t = performance.now();
    const out = join(base, 'out');
    await mkdir(out);
    await applyLayer(createReadStream(tarPath), { root: out, ownership });
    const applyMs = performance.now() - t;
    const mb = size / 1024 / 1024;
    console.log(`tree: ${files} files, ${mb.toFixed(1)} MB tar`);
    console.log(`diff  : ${(diffMs / 1000).toFixed(2)} s  ${(mb / (diffMs / 1000)).toFixed(1)} MB/s`);
    console.log(`apply : ${(applyMs / 1000).toFixed(2)} s  ${(mb / (applyMs / 1000)).toFixed(1)} MB/s`);
    try {
      t = performance.now();
      execFileSync('tar', ['-C', tree, '-cf', join(base, 'gnu.tar'), '.']);
      const gnuCreate = performance.now() - t;
      const gnuOut = join(base, 'gnu-out');
      await mkdir(gnuOut);
      t = performance.now();
      execFileSync('tar', ['-C', gnuOut, '-xf', join(base, 'gnu.tar')]);
      const gnuExtract = performance.now() - t;
      console.log(
        `GNU tar reference: create ${(mb / (gnuCreate / 1000)).toFixed(1)} MB/s, extract ${(mb / (gnuExtract / 1000)).toFixed(1)} MB/s`,
      );
      console.log(
        `ratio kiln/GNU: diff ${(gnuCreate / diffMs).toFixed(2)}x, apply ${(gnuExtract / applyMs).toFixed(2)}x`,
      );
    } catch {
      console.log('GNU tar not available: no reference');
    }
    console.log('buildah reference: not measured (no cheap one-shot tar apply/diff command)');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
