/**
 * Follows the block structure of a tar stream while its raw bytes are scanned elsewhere, to say which
 * member a byte offset belongs to: a member's header (and the PAX / GNU long-name records before it)
 * is its `metadata`, its data is its `content`. Tolerant by design: the scan covers every byte
 * whatever happens here; when the framing cannot be followed, later offsets are attributed to no path.
 */

export type TarPart = 'metadata' | 'content';

/** Where an offset lies. `path` is undefined past the archive's end or after unreadable framing. */
export interface TarPlace {
  readonly path: string | undefined;
  readonly part: TarPart;
}

const BLOCK = 512;
const MAX_EXTENSION_BYTES = 1024 * 1024;
const DATALESS = new Set(['1', '2', '3', '4', '5', '6']);

function cString(block: Uint8Array, from: number, length: number): string {
  const field = block.subarray(from, from + length);
  const nul = field.indexOf(0);
  return Buffer.from(nul < 0 ? field : field.subarray(0, nul)).toString('utf8');
}

function parseSize(block: Uint8Array): number | undefined {
  const field = block.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const text = cString(block, 124, 12).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

function paxValue(records: Buffer, key: string): string | undefined {
  let found: string | undefined;
  let i = 0;
  while (i < records.length) {
    const space = records.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number.parseInt(records.subarray(i, space).toString('latin1'), 10);
    if (!Number.isInteger(len) || len <= 0) break;
    const record = records.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === key) found = record.slice(eq + 1);
    i += len;
  }
  return found;
}

/** Feed every chunk of the stream in order; then `place(offset)` answers. */
export class TarFraming {
  // Segments as parallel arrays: [start, end) offsets, the owning member (index into #paths), the part.
  readonly #starts: number[] = [];
  readonly #owners: number[] = [];
  readonly #parts: TarPart[] = [];
  readonly #paths: (string | undefined)[] = [];
  /** Member paths as decoded from headers when the raw bytes do not hold them contiguously (ustar prefix). */
  readonly #joinedNames: { readonly path: string; readonly offset: number }[] = [];
  #offset = 0;
  #header = Buffer.alloc(BLOCK);
  #headerFill = 0;
  #skip = 0;
  #collect: { kind: string; data: Buffer[]; size: number } | undefined;
  #pendingOwner: number | undefined;
  #pendingPath: string | undefined;
  #broken = false;
  #remaining = 0;

  /** ustar names split into prefix + name, with the offset of their header, for a separate scan. */
  get joinedNames(): readonly { readonly path: string; readonly offset: number }[] {
    return this.#joinedNames;
  }

  write(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.#broken) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        if (this.#collect !== undefined && this.#collect.size < MAX_EXTENSION_BYTES) {
          this.#collect.data.push(Buffer.from(chunk.subarray(i, i + n)));
          this.#collect.size += n;
        }
        this.#skip -= n;
        i += n;
        this.#offset += n;
        if (this.#skip === 0 && this.#collect !== undefined) this.#finishExtension();
        continue;
      }
      const n = Math.min(BLOCK - this.#headerFill, chunk.length - i);
      this.#header.set(chunk.subarray(i, i + n), this.#headerFill);
      this.#headerFill += n;
      i += n;
      this.#offset += n;
      if (this.#headerFill === BLOCK) {
        this.#headerFill = 0;
        this.#onHeader(this.#offset - BLOCK);
      }
    }
    if (this.#broken && i < chunk.length) this.#offset += chunk.length - i;
  }

  #segment(start: number, owner: number, part: TarPart): void {
    this.#starts.push(start);
    this.#owners.push(owner);
    this.#parts.push(part);
  }

  #onHeader(start: number): void {
    const block = this.#header;
    if (block.every((b) => b === 0)) {
      this.#paths.push(undefined);
      this.#segment(start, this.#paths.length - 1, 'metadata');
      return;
    }
    const size = parseSize(block);
    if (size === undefined) {
      this.#broken = true;
      this.#paths.push(undefined);
      this.#segment(start, this.#paths.length - 1, 'metadata');
      return;
    }
    const flag = String.fromCharCode(block[156]!);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (this.#pendingOwner === undefined) {
      this.#paths.push(undefined);
      this.#pendingOwner = this.#paths.length - 1;
    }
    const owner = this.#pendingOwner;
    this.#segment(start, owner, 'metadata');
    if (flag === 'x' || flag === 'L' || flag === 'K' || flag === 'g') {
      this.#skip = padded;
      this.#collect = padded > 0 ? { kind: flag, data: [], size: 0 } : undefined;
      this.#remaining = size;
      return;
    }
    const name = cString(block, 0, 100);
    const ustar = cString(block, 257, 5) === 'ustar';
    const prefix = ustar ? cString(block, 345, 155) : '';
    const path = this.#pendingPath ?? (prefix === '' ? name : `${prefix}/${name}`);
    if (this.#pendingPath === undefined && prefix !== '') this.#joinedNames.push({ path, offset: start });
    this.#paths[owner] = path;
    this.#pendingOwner = undefined;
    this.#pendingPath = undefined;
    const body = DATALESS.has(flag) ? 0 : padded;
    if (body > 0) {
      this.#segment(start + BLOCK, owner, 'content');
      this.#skip = body;
    }
  }

  #finishExtension(): void {
    const ext = this.#collect!;
    this.#collect = undefined;
    const data = Buffer.concat(ext.data).subarray(0, this.#remaining);
    // The extension's data bytes belong to the member that follows, as metadata.
    switch (ext.kind) {
      case 'x': {
        const path = paxValue(data, 'path');
        if (path !== undefined) this.#pendingPath = path;
        break;
      }
      case 'L': {
        const nul = data.indexOf(0);
        this.#pendingPath = (nul < 0 ? data : data.subarray(0, nul)).toString('utf8');
        break;
      }
      case 'g':
        this.#paths[this.#pendingOwner!] = '(global PAX header)';
        this.#pendingOwner = undefined;
        break;
      default:
        break;
    }
  }

  /**
   * The member and part `offset` lies in, as a member number valid for this stream; `pathOf` gives
   * its path once the member's header has been read (PAX / long-name records come before it).
   */
  locate(offset: number): { readonly member: number; readonly part: TarPart } | undefined {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || offset < starts[0]!) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { member: this.#owners[lo]!, part: this.#parts[lo]! };
  }

  /** The path of a member number from `locate`. */
  pathOf(member: number): string | undefined {
    return this.#paths[member];
  }

  /** Where `offset` lies, with the path as known now. */
  place(offset: number): TarPlace {
    const at = this.locate(offset);
    return at === undefined
      ? { path: undefined, part: 'metadata' }
      : { path: this.pathOf(at.member), part: at.part };
  }
}
