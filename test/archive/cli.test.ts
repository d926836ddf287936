import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { resolveImage } from '../../src/store/resolve-image.js';
import { storeIn, type TestImage, taggedImage, workDir } from './archive-fixtures.js';

interface Run {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

async function kiln(root: string, args: readonly string[], stdin: Buffer = Buffer.alloc(0)): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  input.end(stdin);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({
    argv: ['--root', root, ...args],
    context: { stdout, stderr, stdin: input, env: {}, cwd: root, signal: new AbortController().signal },
  });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

describe('kiln save / load / copy', () => {
  let dir: string;
  let cleanup: () => void;
  let store: LocalStore;
  let image: TestImage;
  const root = () => join(dir, 'store');
  beforeEach(async () => {
    ({ dir, cleanup } = workDir());
    store = await storeIn(dir, 'store');
    image = await taggedImage(store, 'example.com/cli/app:1', 'cli');
    await taggedImage(store, 'example.com/cli/other:2', 'other');
  });
  afterEach(() => cleanup());

  for (const format of ['docker-archive', 'oci-archive'] as const) {
    it(`save --format ${format} -o FILE, then load -i FILE into another root`, async () => {
      const file = join(dir, `${format}.tar`);
      const save = await kiln(root(), [
        'save',
        '--format',
        format,
        '-o',
        file,
        'example.com/cli/app:1',
        'example.com/cli/other:2',
      ]);
      assert.equal(save.code, 0, save.stderr);
      const load = await kiln(join(dir, 'other'), ['load', '-i', file]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal(
        load.stdout.toString(),
        'Loaded image: example.com/cli/app:1\nLoaded image: example.com/cli/other:2\n',
      );
      const other = await storeIn(dir, 'other');
      const resolved = await resolveImage(other, 'example.com/cli/app:1');
      assert.equal(resolved.manifest.config.digest, image.config.digest);
    });
  }

  it('save writes to standard output without -o; load reads standard input', async () => {
    const save = await kiln(root(), ['save', 'example.com/cli/app:1']);
    assert.equal(save.code, 0, save.stderr);
    assert.ok(save.stdout.length > 1024);
    const load = await kiln(join(dir, 'other'), ['load'], save.stdout);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout.toString(), 'Loaded image: example.com/cli/app:1\n');
  });

  it('save --format oci-dir needs -o and writes a layout', async () => {
    const missing = await kiln(root(), ['save', '--format', 'oci-dir', 'example.com/cli/app:1']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /oci-dir needs -o/);
    const ok = await kiln(root(), [
      'save',
      '--format',
      'oci-dir',
      '-o',
      join(dir, 'layout'),
      'example.com/cli/app:1',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const index = JSON.parse(readFileSync(join(dir, 'layout', 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, image.manifest.digest);
  });

  it('copy between transports, with --format docker', async () => {
    const toDir = await kiln(root(), ['copy', 'example.com/cli/app:1', `oci:${join(dir, 'layout')}:v1`]);
    assert.equal(toDir.code, 0, toDir.stderr);
    const back = await kiln(root(), [
      'copy',
      '--format',
      'docker',
      `oci:${join(dir, 'layout')}:v1`,
      'kiln:example.com/cli/docker:1',
    ]);
    assert.equal(back.code, 0, back.stderr);
    const resolved = await resolveImage(store, 'example.com/cli/docker:1');
    assert.equal(resolved.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(resolved.manifest.config.digest, image.config.digest);
  });

  it('load of a hostile archive fails with E_UNSAFE_ARCHIVE and changes nothing', async () => {
    const file = join(dir, 'bad.tar');
    const header = Buffer.alloc(512);
    writeFileSync(file, Buffer.concat([header.fill(1), Buffer.alloc(1024)]));
    const before = await store.readIndex();
    const load = await kiln(root(), ['load', '-i', file]);
    assert.notEqual(load.code, 0);
    assert.match(load.stderr, /E_UNSAFE_ARCHIVE|checksum/);
    assert.deepEqual(await store.readIndex(), before);
  });

  it('refuses unknown formats and transports', async () => {
    const save = await kiln(root(), [
      'save',
      '--format',
      'zip',
      '-o',
      join(dir, 'x'),
      'example.com/cli/app:1',
    ]);
    assert.notEqual(save.code, 0);
    assert.match(save.stderr, /unknown --format/);
    const copy = await kiln(root(), ['copy', 'example.com/cli/app:1', 'docker://localhost:5000/Bad_Name:1']);
    assert.notEqual(copy.code, 0);
    assert.match(copy.stderr, /E_REFERENCE/);
    const unknown = await kiln(root(), ['copy', 'example.com/cli/app:1', 'docker-daemon:x:1']);
    assert.notEqual(unknown.code, 0);
  });
});
