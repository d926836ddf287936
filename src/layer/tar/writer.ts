/**
 * Deterministic tar writer: ustar headers with empty uname/gname and numeric ids, plus a PAX record
 * block only when a value does not fit (long or non-ASCII names, large sizes or ids, xattrs).
 *
 * Output is batched: headers, padding and small bodies are copied into a 1 MiB buffer that is handed
 * to the stream when full (one stream write per MiB instead of three or more per member), and
 * `addFile` reads a file from disk straight into that buffer (small reads synchronously: on many small
 * files thread-pool round trips would dominate).
 */
import { closeSync, constants, openSync, read, readSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { ErrorCode, KilnError } from '../../errors.js';
import { BLOCK_SIZE, type BlockFields, encodeHeaderBlockInto, octalLimit } from './header-block.js';
import { encodePaxRecord } from './pax.js';
import type { TarEntryHeader, TarEntryType } from './types.js';

const ZEROS = Buffer.alloc(BLOCK_SIZE * 2);
/** Size of one output chunk. */
const BATCH_SIZE = 1024 * 1024;
/** Chunks at least this large bypass the batch buffer (after flushing it) instead of being copied. */
const DIRECT_WRITE = 256 * 1024;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
/**
 * Reads of at least this many bytes go through the thread pool (a cold-cache read of a large piece
 * must not stall the event loop); smaller ones are synchronous, which is far cheaper for small files.
 */
const ASYNC_READ = 256 * 1024;
/** Largest values the 12-byte (size, mtime) and 8-byte (uid, gid) octal fields hold. */
const MAX_SIZE_FIELD = octalLimit(12);
const MAX_ID_FIELD = octalLimit(8);

function typeflag(type: TarEntryType): string {
  switch (type) {
    case 'file':
      return '0';
    case 'hardlink':
      return '1';
    case 'symlink':
      return '2';
    case 'char-device':
      return '3';
    case 'block-device':
      return '4';
    case 'directory':
      return '5';
    case 'fifo':
      return '6';
  }
}

const PLAIN_ASCII = /^[\x01-\x7f]*$/;

/** Splits a name into ustar prefix + name when possible (ASCII only). */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (!PLAIN_ASCII.test(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    if (i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return { prefix: name.slice(0, i), name: name.slice(i + 1) };
    }
  }
  return undefined;
}

function paxHeaderName(name: string): string {
  const base = name.replace(/\/$/, '').split('/').pop() ?? '';
  const ascii = base.replace(/[^\x20-\x7e]/g, '_');
  return `PaxHeaders.0/${ascii}`.slice(0, 99);
}

/** Serialises members into `out`, respecting backpressure. */
export class TarWriter {
  readonly #out: Writable;
  #batch = Buffer.allocUnsafe(BATCH_SIZE);
  #used = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  async #send(chunk: Buffer): Promise<void> {
    if (this.#out.destroyed) throw new KilnError(ErrorCode.Aborted, 'layer output was closed');
    if (!this.#out.write(chunk)) await drainedOrClosed(this.#out);
  }

  /** Hands the batched bytes to the stream (the buffer is given away, a new one takes its place). */
  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    const full = this.#batch.subarray(0, this.#used);
    this.#batch = Buffer.allocUnsafe(BATCH_SIZE);
    this.#used = 0;
    await this.#send(full);
  }

  async #write(chunk: Buffer): Promise<void> {
    if (chunk.length >= DIRECT_WRITE) {
      await this.#flush();
      await this.#send(chunk);
      return;
    }
    if (this.#used + chunk.length > BATCH_SIZE) await this.#flush();
    chunk.copy(this.#batch, this.#used);
    this.#used += chunk.length;
  }

  /**
   * Writes a regular-file member whose body is read from `path` (not following symlinks) straight
   * into the output buffer. Fails with E_INTERNAL when the file no longer has `header.size` bytes.
   */
  async addFile(header: TarEntryHeader, path: string): Promise<void> {
    await this.#headers(header);
    const fd = openSync(path, READ_FLAGS);
    try {
      let left = header.size;
      for (;;) {
        if (this.#used === BATCH_SIZE) await this.#flush();
        // One byte more than expected: a file that grew is noticed without an extra read, and a short
        // read of a regular file means its end was reached.
        const want = Math.min(left + 1, BATCH_SIZE - this.#used);
        const got =
          want >= ASYNC_READ
            ? await readAsync(fd, this.#batch, this.#used, want)
            : readSync(fd, this.#batch, this.#used, want, null);
        if (got > left) throw changed(header, header.size + 1);
        this.#used += got;
        left -= got;
        if (got < want) {
          if (left === 0) break;
          if (got === 0) throw changed(header, header.size - left);
        }
      }
    } finally {
      closeSync(fd);
    }
    await this.#pad(header.size);
  }

  /** Writes one member; `body` must yield exactly `header.size` bytes for regular files. */
  async add(header: TarEntryHeader, body?: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    await this.#headers(header);
    if (header.type !== 'file') return;
    let written = 0;
    if (body !== undefined) {
      for await (const chunk of body) {
        written += chunk.length;
        if (written > header.size) break;
        await this.#write(chunk);
      }
    }
    if (written !== header.size) throw changed(header, written);
    await this.#pad(header.size);
  }

  /** The PAX block (when needed) and the ustar header of one member. */
  async #headers(header: TarEntryHeader): Promise<void> {
    const name = header.type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name;
    const records: Buffer[] = [];
    const split = splitName(name);
    if (split === undefined) records.push(encodePaxRecord('path', name));
    const linkFits = PLAIN_ASCII.test(header.linkname) && Buffer.byteLength(header.linkname) <= 100;
    if (!linkFits) records.push(encodePaxRecord('linkpath', header.linkname));
    if (header.size > MAX_SIZE_FIELD) records.push(encodePaxRecord('size', String(header.size)));
    if (header.uid > MAX_ID_FIELD) records.push(encodePaxRecord('uid', String(header.uid)));
    if (header.gid > MAX_ID_FIELD) records.push(encodePaxRecord('gid', String(header.gid)));
    if (header.xattrs.size > 0) {
      for (const key of [...header.xattrs.keys()].sort())
        records.push(encodePaxRecord(`SCHILY.xattr.${key}`, header.xattrs.get(key)!));
    }
    const mtime = Math.max(0, Math.floor(header.mtime));
    const fields = {
      mode: header.mode & 0o7777,
      uid: header.uid > MAX_ID_FIELD ? 0 : header.uid,
      gid: header.gid > MAX_ID_FIELD ? 0 : header.gid,
      mtime: Math.min(mtime, MAX_SIZE_FIELD),
      devmajor: header.devmajor,
      devminor: header.devminor,
    };
    if (records.length > 0) {
      const data = Buffer.concat(records);
      await this.#block({
        ...fields,
        name: paxHeaderName(name),
        prefix: '',
        size: data.length,
        typeflag: 'x',
        linkname: '',
      });
      await this.#write(data);
      await this.#pad(data.length);
    }
    await this.#block({
      ...fields,
      name: split?.name ?? name.slice(0, 100).replace(/[^\x20-\x7e]/g, '_'),
      prefix: split?.prefix ?? '',
      size: header.size > MAX_SIZE_FIELD ? 0 : header.size,
      typeflag: typeflag(header.type),
      linkname: linkFits ? header.linkname : '',
    });
  }

  /** Encodes one header block straight into the output buffer. */
  async #block(fields: BlockFields): Promise<void> {
    if (this.#used + BLOCK_SIZE > BATCH_SIZE) await this.#flush();
    encodeHeaderBlockInto(this.#batch, this.#used, fields);
    this.#used += BLOCK_SIZE;
  }

  async #pad(size: number): Promise<void> {
    const pad = (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
    if (pad > 0) await this.#write(ZEROS.subarray(0, pad));
  }

  /** Writes the end-of-archive marker and ends the output. */
  async finish(): Promise<void> {
    await this.#write(ZEROS);
    await this.#flush();
    this.#out.end();
  }
}

function readAsync(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, null, (error, bytesRead) =>
      error === null ? resolve(bytesRead) : reject(error),
    );
  });
}

/** Resolves on 'drain' or 'close', removing both listeners (no leak across many waits). */
function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

function changed(header: TarEntryHeader, bytes: number): KilnError {
  return new KilnError(
    ErrorCode.Internal,
    `${header.name} changed while it was being archived (${bytes} bytes, expected ${header.size})`,
  );
}
