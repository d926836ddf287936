/**
 * Layer engine throughput: builds a ~200 MB / 5,000-file tree, diffs it into a tar (compare mode against
 * an empty lower), applies that tar to a fresh directory, and prints MB/s (median of `runs`).
 * References measured in the same run when installed:
 * - GNU tar: `tar -cf` (vs diff) and `tar -xf` (vs apply) on the same tree.
 * - buildah (root only): `buildah --storage-driver vfs commit` of a `FROM scratch` container holding the
 *   same tree. A commit diffs the container's rootfs into a layer tar and applies it into
 *   containers-storage, so it is compared with kiln diff + apply.
 * - `diff -rq`: compare mode on an unchanged copy of the unpacked tree (see compareUnchanged).
 * Run: npx tsx bench/layer-apply-diff.ts [files=5000] [mb=200] [runs=3] [dir=/tmp] [buildah=1]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { applyLayer } from '../src/layer/apply.js';
import { diffToLayer } from '../src/layer/diff/diff-to-layer.js';
import { nativeOwnership, type OwnershipStrategy, xattrOwnership } from '../src/layer/ownership.js';
import {
  blobStream,
  hasTool,
  measure,
  medianSample,
  options,
  type Sample,
  sampleRate,
  sampleRatio,
  sum,
} from './lib/measure.js';

const opts = options({ files: '5000', mb: '200', runs: '3', dir: tmpdir(), buildah: '1' });
const files = Number(opts.files);
const runs = Number(opts.runs);

async function makeTree(tree: string): Promise<void> {
  const perFile = Math.floor((Number(opts.mb) * 1024 * 1024) / files);
  const chunk = Buffer.alloc(perFile);
  for (let i = 0; i < files; i++) {
    const dir = join(tree, `d${i % 50}`, `e${i % 7}`);
    await mkdir(dir, { recursive: true });
    chunk.writeUInt32LE(i, 0);
    await writeFile(join(dir, `f${i}`), chunk);
  }
}

/** Median ms of buildah commit of `tree`, or the reason it was not measured. */
async function buildahCommit(base: string, tree: string): Promise<Sample | string> {
  if (opts.buildah === '0') return 'disabled (buildah=0)';
  if (process.getuid?.() !== 0) return 'needs root (vfs storage without a user namespace)';
  if (!hasTool('buildah')) return 'buildah not installed';
  const storage = join(base, 'buildah');
  const bh = (...args: string[]): string =>
    execFileSync(
      'buildah',
      [
        '--storage-driver',
        'vfs',
        '--root',
        join(storage, 'root'),
        '--runroot',
        join(storage, 'run'),
        ...args,
      ],
      { encoding: 'utf8' },
    ).trim();
  const samples: Sample[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const ctr = bh('from', '--quiet', 'scratch');
      const mnt = bh('mount', ctr);
      execFileSync('cp', ['-a', `${tree}/.`, mnt]);
      samples.push(await measure(() => bh('commit', '--quiet', ctr, `kiln-bench-${run}`)));
      bh('rm', ctr);
      bh('rmi', '--force', `kiln-bench-${run}`);
    }
  } catch (error) {
    return `failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    await rm(storage, { recursive: true, force: true }).catch(() => {});
  }
  return medianSample(samples);
}

/**
 * Compare mode on an unchanged copy of an unpacked layer (the copy-snapshot case): whole-second
 * mtimes force a content comparison of every file. Reference: `diff -rq` (GNU diffutils) on the same
 * two trees, which also reads both sides completely.
 */
async function compareUnchanged(setup: {
  readonly base: string;
  readonly tarPath: string;
  readonly size: number;
  readonly ownership: OwnershipStrategy;
}): Promise<void> {
  const { base, ownership } = setup;
  const lower = join(base, 'lower');
  const upper = join(base, 'upper');
  await mkdir(lower);
  await applyLayer(blobStream(setup.tarPath), { root: lower, ownership });
  execFileSync('cp', ['-a', `${lower}/.`, upper]);
  const kiln: Sample[] = [];
  const reference: Sample[] = [];
  let layerSize = 0;
  for (let run = 0; run < runs; run++) {
    kiln.push(
      await measure(async () => {
        const layer = diffToLayer({ upper, lower: [lower], mode: 'compare', ownership });
        await pipeline(layer.stream, createWriteStream(join(base, 'unchanged.tar')));
        layerSize = (await layer.result).size;
      }),
    );
    if (hasTool('diff')) reference.push(await measure(() => execFileSync('diff', ['-rq', lower, upper])));
  }
  const k = medianSample(kiln);
  console.log(`kiln compare unchanged copy: ${sampleRate(setup.size, k)}  (layer: ${layerSize} bytes)`);
  if (reference.length > 0) {
    const r = medianSample(reference);
    console.log(`diff -rq (reference)       : ${sampleRate(setup.size, r)}`);
    console.log(`ratio kiln/diff -rq        : ${sampleRatio(k, r)}`);
  }
  await rm(lower, { recursive: true });
  await rm(upper, { recursive: true });
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(opts.dir, 'kiln-bench-layer-'));
  try {
    const tree = join(base, 'tree');
    const empty = join(base, 'empty');
    await mkdir(empty);
    await makeTree(tree);
    const ownership = process.getuid?.() === 0 ? nativeOwnership() : xattrOwnership();
    const tarPath = join(base, 'layer.tar');
    const kiln = { diff: [] as Sample[], apply: [] as Sample[] };
    const gnu = { create: [] as Sample[], extract: [] as Sample[] };
    const gnuTar = hasTool('tar');
    let size = 0;
    for (let run = 0; run < runs; run++) {
      const out = join(base, 'out');
      await mkdir(out);
      kiln.diff.push(
        await measure(async () => {
          const layer = diffToLayer({ upper: tree, lower: [empty], mode: 'compare', ownership });
          await pipeline(layer.stream, createWriteStream(tarPath));
          size = (await layer.result).size;
        }),
      );
      kiln.apply.push(await measure(() => applyLayer(blobStream(tarPath), { root: out, ownership })));
      await rm(out, { recursive: true });
      if (gnuTar) {
        const gnuOut = join(base, 'gnu-out');
        await mkdir(gnuOut);
        const gnuPath = join(base, 'gnu.tar');
        gnu.create.push(await measure(() => execFileSync('tar', ['-C', tree, '-cf', gnuPath, '.'])));
        gnu.extract.push(await measure(() => execFileSync('tar', ['-C', gnuOut, '-xf', gnuPath])));
        await rm(gnuOut, { recursive: true });
      }
    }
    const diffMs = medianSample(kiln.diff);
    const applyMs = medianSample(kiln.apply);
    console.log(`tree: ${files} files, ${(size / 1024 / 1024).toFixed(1)} MB tar, median of ${runs} runs`);
    console.log(`kiln diff        : ${sampleRate(size, diffMs)}`);
    console.log(`kiln apply       : ${sampleRate(size, applyMs)}`);
    if (gnuTar) {
      const createMs = medianSample(gnu.create);
      const extractMs = medianSample(gnu.extract);
      console.log(`GNU tar -c       : ${sampleRate(size, createMs)}`);
      console.log(`GNU tar -x       : ${sampleRate(size, extractMs)}`);
      console.log(
        `ratio kiln/GNU   : diff ${sampleRatio(diffMs, createMs)}, apply ${sampleRatio(applyMs, extractMs)}`,
      );
    } else {
      console.log('GNU tar not installed: no reference');
    }
    await compareUnchanged({ base, tarPath, size, ownership });
    const commit = await buildahCommit(base, tree);
    if (typeof commit !== 'string') {
      console.log(`buildah commit   : ${sampleRate(size, commit)}  (diff + apply into vfs storage)`);
      console.log(`ratio kiln/buildah: diff+apply ${sampleRatio(sum(diffMs, applyMs), commit)}`);
    } else {
      console.log(`buildah reference: not measured (${commit})`);
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
