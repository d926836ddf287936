/**
 * Writing an image archive as a tar stream: to a temp file beside the target that is renamed into
 * place on commit (readers never see a partial archive), or to a caller's stream (`kiln save` to
 * stdout). Members are deterministic: owner 0:0, mtime 0, mode 0644 (0755 for directories).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import type { TarEntryHeader } from '../layer/tar/types.js';
import { TarWriter } from '../layer/tar/writer.js';

/** Where an archive goes. */
export type ArchiveTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stream'; readonly stream: Writable; readonly description: string };

const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();

function header(name: string, type: 'file' | 'directory', size: number): TarEntryHeader {
  return {
    name,
    type,
    mode: type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: NO_XATTRS,
  };
}

/** A tar being written; members are added one after another (callers serialise). */
export class ArchiveOutput {
  readonly description: string;
  readonly #out: Writable;
  readonly #tar: TarWriter;
  readonly #temp: string | undefined;
  readonly #target: string | undefined;
  #done = false;

  private constructor(out: Writable, description: string, temp?: string, target?: string) {
    this.#out = out;
    this.#tar = new TarWriter(out);
    this.description = description;
    this.#temp = temp;
    this.#target = target;
    out.on('error', () => undefined);
  }

  /** Starts an archive at `target`. */
  static async open(target: ArchiveTarget): Promise<ArchiveOutput> {
    switch (target.kind) {
      case 'file': {
        const temp = join(
          dirname(target.path),
          `.${basename(target.path)}.${process.pid}-${randomUUID()}.tmp`,
        );
        const out = createWriteStream(temp, { flags: 'wx', mode: 0o644 });
        try {
          await once(out, 'open');
        } catch (error) {
          throw new KilnError(ErrorCode.Usage, `cannot write ${target.path}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        return new ArchiveOutput(out, target.path, temp, target.path);
      }
      case 'stream':
        return new ArchiveOutput(target.stream, target.description);
      default: {
        const never: never = target;
        throw new KilnError(ErrorCode.Internal, `unexpected archive target ${JSON.stringify(never)}`);
      }
    }
  }

  async addDirectory(name: string): Promise<void> {
    await this.#tar.add(header(name, 'directory', 0));
  }

  async addBytes(name: string, bytes: Buffer): Promise<void> {
    await this.#tar.add(header(name, 'file', bytes.length), [bytes]);
  }

  /** Adds a member whose body (exactly `size` bytes) is streamed from `body`. */
  async addStream(name: string, size: number, body: Readable): Promise<void> {
    try {
      await this.#tar.add(header(name, 'file', size), body);
    } finally {
      if (!body.destroyed) body.destroy();
    }
  }

  /** Ends the archive and, for a file, renames it into place. */
  async commit(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const closed = this.#temp !== undefined ? once(this.#out, 'close') : once(this.#out, 'finish');
    await this.#tar.finish();
    await closed;
    if (this.#temp !== undefined && this.#target !== undefined) {
      try {
        await rename(this.#temp, this.#target);
      } catch (error) {
        await rm(this.#temp, { force: true });
        throw new KilnError(ErrorCode.Usage, `cannot write ${this.#target}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  }

  /** Drops a partial archive (the temp file; a stream is destroyed). */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#out.destroy();
    if (this.#temp !== undefined) await rm(this.#temp, { force: true });
  }
}
