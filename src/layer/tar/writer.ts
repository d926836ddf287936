/**
 * Deterministic tar writer: ustar headers with empty uname/gname and numeric ids, plus a PAX record
 * block only when a value does not fit (long or non-ASCII names, large sizes or ids, xattrs).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ErrorCode, KilnError } from '../../errors.js';
import { BLOCK_SIZE, encodeHeaderBlock, octalLimit } from './header-block.js';
import { encodePaxRecord } from './pax.js';
import type { TarEntryHeader, TarEntryType } from './types.js';

const ZEROS = Buffer.alloc(BLOCK_SIZE * 2);

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

  constructor(out: Writable) {
    this.#out = out;
  }

  async #write(chunk: Buffer): Promise<void> {
    if (this.#out.destroyed) throw new KilnError(ErrorCode.Aborted, 'layer output was closed');
    if (!this.#out.write(chunk)) {
      await Promise.race([once(this.#out, 'drain'), once(this.#out, 'close')]);
    }
  }

  /** Writes one member; `body` must yield exactly `header.size` bytes for regular files. */
  async add(header: TarEntryHeader, body?: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const name = header.type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name;
    const records: Buffer[] = [];
    const split = splitName(name);
    if (split === undefined) records.push(encodePaxRecord('path', name));
    const linkFits = PLAIN_ASCII.test(header.linkname) && Buffer.byteLength(header.linkname) <= 100;
    if (!linkFits) records.push(encodePaxRecord('linkpath', header.linkname));
    if (header.size > octalLimit(12)) records.push(encodePaxRecord('size', String(header.size)));
    if (header.uid > octalLimit(8)) records.push(encodePaxRecord('uid', String(header.uid)));
    if (header.gid > octalLimit(8)) records.push(encodePaxRecord('gid', String(header.gid)));
    const xattrNames = [...header.xattrs.keys()].sort();
    for (const key of xattrNames)
      records.push(encodePaxRecord(`SCHILY.xattr.${key}`, header.xattrs.get(key)!));
    const mtime = Math.max(0, Math.floor(header.mtime));
    const fields = {
      mode: header.mode & 0o7777,
      uid: header.uid > octalLimit(8) ? 0 : header.uid,
      gid: header.gid > octalLimit(8) ? 0 : header.gid,
      mtime: Math.min(mtime, octalLimit(12)),
      devmajor: header.devmajor,
      devminor: header.devminor,
    };
    if (records.length > 0) {
      const data = Buffer.concat(records);
      await this.#write(
        encodeHeaderBlock({
          ...fields,
          name: paxHeaderName(name),
          prefix: '',
          size: data.length,
          typeflag: 'x',
          linkname: '',
        }),
      );
      await this.#write(data);
      await this.#pad(data.length);
    }
    await this.#write(
      encodeHeaderBlock({
        ...fields,
        name: split?.name ?? name.slice(0, 100).replace(/[^\x20-\x7e]/g, '_'),
        prefix: split?.prefix ?? '',
        size: header.size > octalLimit(12) ? 0 : header.size,
        typeflag: typeflag(header.type),
        linkname: linkFits ? header.linkname : '',
      }),
    );
    if (header.type !== 'file') return;
    let written = 0;
    if (body !== undefined) {
      for await (const chunk of body) {
        written += chunk.length;
        if (written > header.size) break;
        await this.#write(chunk);
      }
    }
    if (written !== header.size) {
      throw new KilnError(
        ErrorCode.Internal,
        `${header.name} changed while it was being archived (${written} bytes, expected ${header.size})`,
      );
    }
    await this.#pad(header.size);
  }

  async #pad(size: number): Promise<void> {
    const pad = (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
    if (pad > 0) await this.#write(ZEROS.subarray(0, pad));
  }

  /** Writes the end-of-archive marker and ends the output. */
  async finish(): Promise<void> {
    await this.#write(ZEROS);
    this.#out.end();
  }
}
