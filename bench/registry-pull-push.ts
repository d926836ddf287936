/**
 * Registry throughput: a ~200 MB image (a few layers of random data plus one layer of many small files,
 * gzip level 1) pushed to and pulled from a local `docker-registry` by kiln (pushImage / pullImage on
 * a kiln store) and by `skopeo copy` (from / to an oci: layout holding the very same blobs,
 * --preserve-digests). Every run uses a fresh registry so nothing is already present or mountable.
 * Run: npx tsx bench/registry-pull-push.ts [mb=200] [runs=3] [dir=/tmp]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressLayer, digestingStream } from '../src/layer/compression.js';
import { TarWriter } from '../src/layer/tar/writer.js';
import type { Digest } from '../src/oci/digest.js';
import { createRegistryClient } from '../src/registry/client.js';
import { pullImage } from '../src/registry/pull.js';
import { pushImage } from '../src/registry/push.js';
import { openStore } from '../src/store/local-store.js';
import type { ContentStore } from '../src/store/types.js';
import { REGISTRY_BINARY, startPlainRegistry } from '../test/harness/registry.js';
import {
  hasTool,
  measure,
  medianSample,
  options,
  type Sample,
  sampleRate,
  sampleRatio,
} from './lib/measure.js';
import { type LayoutImage, layoutBlobPath, writeOciLayout } from './lib/oci-layout.js';

const opts = options({ mb: '200', runs: '3', dir: tmpdir() });
const runs = Number(opts.runs);
const MB = 1024 * 1024;

interface Member {
  readonly name: string;
  readonly size: number;
}

/** Writes a gzip layer of random-content files; returns its path and diffID. */
async function makeLayer(
  dir: string,
  name: string,
  members: readonly Member[],
): Promise<{ file: string; diffID: Digest }> {
  const tar = new PassThrough({ highWaterMark: MB });
  const hashed = digestingStream(tar);
  const gz = compressLayer(hashed.stream, 'gzip', { level: 1 });
  const file = join(dir, `${name}.tar.gz`);
  const written = pipeline(gz.stream, createWriteStream(file));
  const writer = new TarWriter(tar);
  const header = {
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
  } as const;
  for (const member of members) {
    const chunks: Buffer[] = [];
    for (let left = member.size; left > 0; left -= MB) chunks.push(randomBytes(Math.min(MB, left)));
    await writer.add({ ...header, name: member.name, size: member.size }, chunks);
  }
  await writer.finish();
  await written;
  return { file, diffID: (await hashed.result).digest };
}

async function makeImage(base: string): Promise<{ layout: string; image: LayoutImage; bytes: number }> {
  const total = Number(opts.mb) * MB;
  const big = Math.floor((total * 0.7) / 3);
  const smallCount = 5000;
  const small = Math.floor((total * 0.3) / smallCount);
  const layers = [];
  for (let i = 0; i < 3; i++)
    layers.push(await makeLayer(base, `big${i}`, [{ name: `data/big${i}.bin`, size: big }]));
  const members = Array.from({ length: smallCount }, (_, i) => ({
    name: `small/d${i % 50}/f${i}`,
    size: small,
  }));
  layers.push(await makeLayer(base, 'small', members));
  const layout = join(base, 'layout');
  const image = await writeOciLayout({
    layout,
    tag: 'bench',
    layers: layers.map((l) => ({ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })),
  });
  const bytes = image.layers.reduce((sum, l) => sum + l.size, image.config.size);
  return { layout, image, bytes };
}

async function copyIntoStore(store: ContentStore, layout: string, image: LayoutImage): Promise<void> {
  for (const blob of [...image.layers, image.config, image.manifest]) {
    await store.writeBlob(createReadStream(layoutBlobPath(layout, blob), { highWaterMark: MB }));
  }
}

function skopeo(...args: string[]): void {
  execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function main(): Promise<void> {
  if (!hasTool(REGISTRY_BINARY, ['--version'])) {
    console.log(`registry-pull-push: skipped (${REGISTRY_BINARY} is not installed)`);
    return;
  }
  const withSkopeo = hasTool('skopeo');
  const base = await mkdtemp(join(opts.dir, 'kiln-bench-registry-'));
  try {
    const { layout, image, bytes } = await makeImage(base);
    const source = await openStore({ root: join(base, 'store'), env: {} });
    await copyIntoStore(source, layout, image);
    const samples: Record<string, Sample[]> = {};
    const add = (name: string, sample: Sample): void => {
      samples[name] = [...(samples[name] ?? []), sample];
    };
    const platform = { os: 'linux', architecture: 'amd64' };
    for (let run = 0; run < runs; run++) {
      const registry = await startPlainRegistry();
      const client = createRegistryClient();
      try {
        const repo = { registry: registry.host, repository: 'bench/kiln' };
        add(
          'kiln push',
          await measure(() =>
            pushImage(client, {
              repository: repo,
              store: source,
              digest: image.manifest.digest as Digest,
              tags: ['v1'],
            }),
          ),
        );
        const pulled = await openStore({ root: join(base, `pulled-${run}`), env: {} });
        add(
          'kiln pull',
          await measure(() =>
            pullImage(client, { reference: { ...repo, tag: 'v1' }, store: pulled, platform }),
          ),
        );
        await rm(pulled.root, { recursive: true, force: true });
        if (withSkopeo) {
          const ref = `docker://${registry.host}/bench/skopeo:v1`;
          add(
            'skopeo push',
            await measure(() =>
              skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:bench`, ref),
            ),
          );
          const out = join(base, `skopeo-pulled-${run}`);
          add(
            'skopeo pull',
            await measure(() =>
              skopeo('copy', '--preserve-digests', '--src-tls-verify=false', ref, `oci:${out}:bench`),
            ),
          );
          await rm(out, { recursive: true, force: true });
        }
      } finally {
        await client.close();
        await registry.stop();
        await rm(registry.dataDir, { recursive: true, force: true });
      }
    }
    console.log(
      `image: ${image.layers.length} layers, ${(bytes / MB).toFixed(1)} MB compressed, median of ${runs} runs`,
    );
    const m = (name: string): Sample | undefined =>
      samples[name] ? medianSample(samples[name]!) : undefined;
    for (const name of Object.keys(samples))
      console.log(`${name.padEnd(12)}: ${sampleRate(bytes, m(name)!)}`);
    if (withSkopeo) {
      console.log(`ratio kiln/skopeo: push ${sampleRatio(m('kiln push')!, m('skopeo push')!)}`);
      console.log(`ratio kiln/skopeo: pull ${sampleRatio(m('kiln pull')!, m('skopeo pull')!)}`);
    } else {
      console.log('skopeo not installed: no reference');
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
