/**
 * Test helpers for archives: temp stores with small synthetic images (through the store API), and
 * hand-made tars (tar-stream) for hostile-archive cases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { setImageTag } from '../../src/store/image-tags.js';
import { type LocalStore, openStore } from '../../src/store/local-store.js';
import { type TestImage, writeTestImage, writeTestIndex } from '../store/store-fixtures.js';

export { type TestImage, tinyTar, writeTestImage, writeTestIndex } from '../store/store-fixtures.js';

/** A temp directory holding stores and archives, removed by `cleanup`. */
export function workDir(): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-archive-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function storeIn(dir: string, name: string): Promise<LocalStore> {
  return openStore({ root: join(dir, name), env: {} });
}

/** A tagged single-platform image. */
export async function taggedImage(
  store: LocalStore,
  tag: string,
  seed = tag,
  layerCount = 2,
): Promise<TestImage> {
  const image = await writeTestImage(store, { seed, layerCount });
  await setImageTag(store, tag, image.manifest);
  return image;
}

/** A tagged two-platform index (amd64 + arm64). */
export async function taggedIndex(store: LocalStore, tag: string) {
  const amd64 = await writeTestImage(store, { seed: `${tag}-amd64`, architecture: 'amd64' });
  const arm64 = await writeTestImage(store, { seed: `${tag}-arm64`, architecture: 'arm64' });
  const index = await writeTestIndex(store, [
    { image: amd64, architecture: 'amd64' },
    { image: arm64, architecture: 'arm64' },
  ]);
  await setImageTag(store, tag, index);
  return { index, amd64, arm64 };
}

/** One member of a hand-made tar. */
export interface RawMember {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  readonly content?: Buffer | string;
  readonly linkname?: string;
}

/** Packs members into a tar exactly as given (no name cleaning). */
export async function makeTar(members: readonly RawMember[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  packer.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    packer.on('end', resolve);
    packer.on('error', reject);
  });
  for (const member of members) {
    const type = member.type ?? 'file';
    const content = member.content === undefined ? undefined : Buffer.from(member.content);
    const header = {
      name: member.name,
      type,
      mode: type === 'directory' ? 0o755 : 0o644,
      ...(member.linkname !== undefined ? { linkname: member.linkname } : {}),
      ...(type === 'file' ? { size: content?.length ?? 0 } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === 'file') packer.entry(header, content ?? Buffer.alloc(0), callback);
      else packer.entry(header, callback);
    });
  }
  packer.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The regular-file members of a tar, in order (for re-packing modified copies). */
export async function tarMembers(tar: Buffer): Promise<RawMember[]> {
  const { extract } = await import('tar-stream');
  const members: RawMember[] = [];
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') members.push({ name: header.name, content: Buffer.concat(chunks) });
        next();
      });
      stream.resume();
    });
    extractor.on('finish', resolve);
    extractor.on('error', reject);
  });
  extractor.end(tar);
  await done;
  return members;
}
