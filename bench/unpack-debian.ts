/**
 * Unpacking a real base image: a Debian bookworm minbase rootfs (debootstrap), tarred once and cached
 * under bench/.cache/ (git-ignored). Times kiln's applyLayer on the plain and the gzip tar against
 * GNU `tar -x` / `tar -xzf` and `umoci raw unpack` (gzip layer in an OCI layout), median of `runs`.
 * Skips with a message when debootstrap is not possible (not root, no network, not installed).
 * Run: npx tsx bench/unpack-debian.ts [runs=3] [dir=/tmp] [mirror=http://deb.debian.org/debian]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { applyLayer } from '../src/layer/apply.js';
import { compressLayer } from '../src/layer/compression.js';
import { nativeOwnership, xattrOwnership } from '../src/layer/ownership.js';
import {
  blobStream,
  hasTool,
  measure,
  medianSample,
  options,
  type Sample,
  sampleRate,
  sampleRatio,
} from './lib/measure.js';
import { writeOciLayout } from './lib/oci-layout.js';

const opts = options({ runs: '3', dir: tmpdir(), mirror: 'http://deb.debian.org/debian' });
const runs = Number(opts.runs);
const cache = fileURLToPath(new URL('./.cache/', import.meta.url));
const rootfsTar = join(cache, 'debian-bookworm-minbase.tar');
const isRoot = process.getuid?.() === 0;
/** GNU tar fails on device nodes without root (kiln skips them with a warning): leave them out. */
const GNU_TAR_ROOTLESS = isRoot ? [] : ['--exclude=./dev/*'];

/** Makes the cached rootfs tar; returns why it could not, or undefined on success. */
async function ensureRootfsTar(): Promise<string | undefined> {
  if (existsSync(rootfsTar)) return undefined;
  if (!isRoot) return 'debootstrap needs root';
  if (!hasTool('debootstrap', ['--version'])) return 'debootstrap is not installed';
  await mkdir(cache, { recursive: true });
  const dir = join(cache, 'debian-rootfs.tmp');
  await rm(dir, { recursive: true, force: true });
  console.log(`debootstrap --variant=minbase bookworm (${opts.mirror}), cached in ${cache} ...`);
  const made = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', dir, opts.mirror], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  try {
    if (made.status !== 0) return `debootstrap failed: ${(made.stderr ?? '').trim().split('\n').pop()}`;
    execFileSync('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-cf', `${rootfsTar}.tmp`, '.']);
    await rename(`${rootfsTar}.tmp`, rootfsTar);
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const skipped = await ensureRootfsTar();
  if (skipped !== undefined) {
    console.log(`unpack-debian: skipped (${skipped})`);
    return;
  }
  const base = await mkdtemp(join(opts.dir, 'kiln-bench-debian-'));
  try {
    const gzPath = join(base, 'rootfs.tar.gz');
    const gz = compressLayer(blobStream(rootfsTar), 'gzip');
    await pipeline(gz.stream, createWriteStream(gzPath));
    const ownership = isRoot ? nativeOwnership() : xattrOwnership();
    const samples: Record<string, Sample[]> = {};
    const add = (name: string, sample: Sample): void => {
      samples[name] = [...(samples[name] ?? []), sample];
    };
    let size = 0;
    let entries = 0;
    let diffID = '';
    const fresh = async (): Promise<string> => {
      const out = join(base, 'out');
      await rm(out, { recursive: true, force: true });
      await mkdir(out);
      return out;
    };
    for (let run = 0; run < runs; run++) {
      let out = await fresh();
      add(
        'kiln apply (tar)',
        await measure(async () => {
          const result = await applyLayer(blobStream(rootfsTar), { root: out, ownership });
          ({ size, entries } = result);
          diffID = result.diffID;
        }),
      );
      out = await fresh();
      add('kiln apply (gzip)', await measure(() => applyLayer(blobStream(gzPath), { root: out, ownership })));
      out = await fresh();
      add(
        'GNU tar -x',
        await measure(() => execFileSync('tar', ['-C', out, ...GNU_TAR_ROOTLESS, '-xf', rootfsTar])),
      );
      out = await fresh();
      add(
        'GNU tar -xzf',
        await measure(() => execFileSync('tar', ['-C', out, ...GNU_TAR_ROOTLESS, '-xzf', gzPath])),
      );
    }
    if (hasTool('umoci', ['--version'])) {
      const layout = join(base, 'layout');
      await writeOciLayout({
        layout,
        tag: 'debian',
        layers: [{ file: gzPath, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffID }],
      });
      for (let run = 0; run < runs; run++) {
        const out = join(base, 'umoci-out');
        await rm(out, { recursive: true, force: true });
        const args = ['raw', 'unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${layout}:debian`, out];
        add('umoci raw unpack (gzip)', await measure(() => execFileSync('umoci', args, { stdio: 'ignore' })));
      }
    }
    console.log(
      `debian bookworm minbase: ${entries} entries, ${(size / 1024 / 1024).toFixed(1)} MB tar, median of ${runs}`,
    );
    const m = (name: string): Sample | undefined =>
      samples[name] ? medianSample(samples[name]!) : undefined;
    for (const name of Object.keys(samples)) console.log(`${name.padEnd(24)}: ${sampleRate(size, m(name)!)}`);
    console.log(
      `ratio kiln/GNU tar : tar ${sampleRatio(m('kiln apply (tar)')!, m('GNU tar -x')!)}, gzip ${sampleRatio(m('kiln apply (gzip)')!, m('GNU tar -xzf')!)}`,
    );
    const umoci = m('umoci raw unpack (gzip)');
    if (umoci !== undefined)
      console.log(`ratio kiln/umoci   : gzip ${sampleRatio(m('kiln apply (gzip)')!, umoci)}`);
    else console.log('umoci not installed: no reference');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
