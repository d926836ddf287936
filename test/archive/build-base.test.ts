/**
 * Archives as build bases, through the library's build(): `FROM oci-layout://DIR:TAG`,
 * `FROM oci-archive:FILE`, `FROM docker-archive:FILE`, and the same through `--build-context NAME=…`.
 * The built image must sit on the archived base (its diff_ids and config) plus the COPY layer, which
 * GNU tar lists.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { BuildContextValue } from '../../src/archive/index.js';
import {
  copyImage,
  openDestination,
  openSource,
  parseBuildContexts,
  parseTransportSpec,
} from '../../src/archive/index.js';
import { build } from '../../src/build/index.js';
import { type LocalStore, openStore } from '../../src/store/index.js';
import { type BusyboxImage, writeBusyboxImage } from '../helpers/busybox-image.js';
import { storeIn, workDir } from './archive-fixtures.js';

const run = promisify(execFile);
const skip = process.getuid?.() === 0 ? false : 'needs root (the build worker mounts snapshots)';

describe('archives as build bases (build())', { skip }, () => {
  let dir: string;
  let cleanup: () => void;
  let source: LocalStore;
  let base: BusyboxImage;
  let context: string;
  const archives: Record<string, string> = {};

  before(async () => {
    ({ dir, cleanup } = workDir());
    source = await storeIn(dir, 'source');
    base = await writeBusyboxImage(source, 'example.com/base:1', { Cmd: ['/bin/echo', 'from-archive'] });
    archives.layout = `oci-layout://${join(dir, 'layout')}:v1`;
    archives.ociArchive = `oci-archive:${join(dir, 'base-oci.tar')}`;
    archives.dockerArchive = `docker-archive:${join(dir, 'base-docker.tar')}`;
    for (const to of [`oci:${join(dir, 'layout')}:v1`, archives.ociArchive, archives.dockerArchive]) {
      const src = await openSource(parseTransportSpec('example.com/base:1'), { store: async () => source });
      try {
        await copyImage({ src, dst: await openDestination(parseTransportSpec(to)) });
      } finally {
        await src.close();
      }
    }
    context = join(dir, 'context');
    await run('mkdir', ['-p', context]);
    await writeFile(join(context, 'hello.txt'), 'hello from the context\n');
  });
  after(() => cleanup?.());

  let builds = 0;
  async function assertOnBase(from: string, buildContexts?: ReadonlyMap<string, BuildContextValue>) {
    const storeRoot = join(dir, `root-${++builds}`);
    const result = await build({
      context: { kind: 'dir', path: context },
      dockerfileText: `FROM ${from}\nCOPY hello.txt /hello.txt\n`,
      storeRoot,
      env: { PATH: process.env.PATH },
      ...(buildContexts !== undefined ? { buildContexts } : {}),
    });
    assert.deepEqual(result.config.rootfs.diff_ids, [base.diffID, result.config.rootfs.diff_ids[1]], from);
    assert.deepEqual(result.config.config?.Cmd, ['/bin/echo', 'from-archive'], `${from}: base config kept`);
    const store = await openStore({ root: storeRoot, env: {} });
    const copied = result.manifest.layers.at(-1)!.digest;
    const { stdout } = await run('tar', ['-tf', store.blobPath(copied)]);
    assert.deepEqual(
      stdout.split('\n').filter((line) => line !== ''),
      ['hello.txt'],
      `${from}: COPY layer`,
    );
  }

  it('FROM oci-layout://, oci-archive: and docker-archive: build on the archived image', async () => {
    for (const spec of Object.values(archives)) await assertOnBase(spec);
  });

  it('--build-context NAME=<archive> maps FROM NAME to it', async () => {
    for (const spec of Object.values(archives)) {
      await assertOnBase('base', parseBuildContexts([`base=${spec}`]));
    }
  });
});
