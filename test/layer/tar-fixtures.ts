/** Helpers for layer tests: crafted tars (including hostile ones) and temp directories. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { nativeOwnership, type OwnershipStrategy, xattrOwnership } from '../../src/layer/ownership.js';
import { BLOCK_SIZE, encodeHeaderBlock } from '../../src/layer/tar/header-block.js';
import type { TarEntryHeader } from '../../src/layer/tar/types.js';
import { TarWriter } from '../../src/layer/tar/writer.js';

export type FixtureEntry = Partial<TarEntryHeader> & {
  readonly name: string;
  readonly body?: string | Buffer;
};

/** A full header with defaults (a 0644 root-owned file). */
export function header(entry: FixtureEntry): TarEntryHeader {
  const body = entry.body === undefined ? undefined : Buffer.from(entry.body);
  return {
    type: 'file',
    mode: entry.type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: 1_600_000_000,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...entry,
    size: entry.size ?? body?.length ?? 0,
  };
}

/** Builds an uncompressed tar in memory with kiln's own writer (names are not sanitised). */
export async function buildTar(entries: readonly FixtureEntry[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on('end', resolve));
  const writer = new TarWriter(out);
  for (const entry of entries) {
    const body = entry.body === undefined ? undefined : Buffer.from(entry.body);
    await writer.add(header(entry), body === undefined ? undefined : [body]);
  }
  await writer.finish();
  await done;
  return Buffer.concat(chunks);
}

/** A raw header block for a hand-crafted archive. */
export function rawBlock(fields: {
  name: string;
  typeflag?: string;
  size?: number;
  linkname?: string;
}): Buffer {
  return encodeHeaderBlock({
    name: fields.name,
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: fields.size ?? 0,
    mtime: 0,
    typeflag: fields.typeflag ?? '0',
    linkname: fields.linkname ?? '',
    devmajor: 0,
    devminor: 0,
  });
}

export function padded(data: Buffer): Buffer {
  const pad = (BLOCK_SIZE - (data.length % BLOCK_SIZE)) % BLOCK_SIZE;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

export const END = Buffer.alloc(BLOCK_SIZE * 2);

export function streamOf(data: Buffer): Readable {
  return Readable.from([data]);
}

/** A fresh temp dir (mode 0777 parent so a non-root test user can work too) and its cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `kiln-layer-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The strategy a build would choose for this process: native as root, the xattr fallback otherwise. */
export function testOwnership(): OwnershipStrategy {
  return process.getuid?.() === 0 ? nativeOwnership() : xattrOwnership();
}
