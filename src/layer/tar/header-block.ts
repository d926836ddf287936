/**
 * One 512-byte tar header block (ustar / GNU / v7): strict decoding of the numeric fields and the
 * checksum, and deterministic encoding. Extension records (PAX, GNU long names) are handled elsewhere.
 */
import { ErrorCode, KilnError } from '../../errors.js';

export const BLOCK_SIZE = 512;

/** A raw header as stored in one block, before extension records are applied. */
export interface RawHeader {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
}

const USTAR_MAGIC = Buffer.from('ustar\u000000', 'latin1');
const GNU_MAGIC = Buffer.from('ustar  \u0000', 'latin1');

function unsafe(message: string): KilnError {
  return new KilnError(ErrorCode.UnsafeArchive, message);
}

/** True when the block is all zeros (end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOf(block: Buffer): number {
  let sum = 8 * 0x20; // the checksum field itself counts as spaces
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < BLOCK_SIZE; i++) sum += block[i]!;
  return sum;
}

function fieldString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return (nul === -1 ? field : field.subarray(0, nul)).toString('utf8');
}

/** Parses an octal (or base-256) numeric field; refuses anything else and negative numbers. */
function fieldNumber(block: Buffer, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw unsafe(`negative ${what} in tar header`);
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + field[i]!;
      if (value > Number.MAX_SAFE_INTEGER) throw unsafe(`${what} out of range in tar header`);
    }
    return value;
  }
  // Octal digits surrounded by optional spaces / NULs, parsed without building strings (hot path).
  let start = 0;
  let end = field.length;
  while (start < end && (field[start] === 0x20 || field[start] === 0)) start++;
  while (end > start && (field[end - 1] === 0x20 || field[end - 1] === 0)) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = field[i]! - 0x30;
    if (digit < 0 || digit > 7) {
      const text = field.toString('latin1', start, end);
      throw unsafe(`invalid ${what} field ${JSON.stringify(text)} in tar header`);
    }
    value = value * 8 + digit;
  }
  if (!Number.isSafeInteger(value)) throw unsafe(`${what} out of range in tar header`);
  return value;
}

/** Decodes a non-zero header block; throws E_UNSAFE_ARCHIVE on a bad checksum or malformed field. */
export function decodeHeaderBlock(block: Buffer): RawHeader {
  const stored = fieldNumber(block, 148, 8, 'checksum');
  if (stored !== checksumOf(block)) {
    throw unsafe('invalid tar header checksum (corrupt archive, or not a tar)');
  }
  let name = fieldString(block, 0, 100);
  const magic = block.subarray(257, 265);
  if (magic.equals(USTAR_MAGIC)) {
    const prefix = fieldString(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  } else if (!magic.equals(GNU_MAGIC) && !isZeroBlock(magic)) {
    throw unsafe('unknown tar header format');
  }
  const flagByte = block[156]!;
  return {
    name,
    mode: fieldNumber(block, 100, 8, 'mode'),
    uid: fieldNumber(block, 108, 8, 'uid'),
    gid: fieldNumber(block, 116, 8, 'gid'),
    size: fieldNumber(block, 124, 12, 'size'),
    mtime: fieldNumber(block, 136, 12, 'mtime'),
    typeflag: flagByte === 0 ? '0' : String.fromCharCode(flagByte),
    linkname: fieldString(block, 157, 100),
    devmajor: fieldNumber(block, 329, 8, 'devmajor'),
    devminor: fieldNumber(block, 337, 8, 'devminor'),
  };
}

/** What the writer puts in one block; values must already fit (the writer adds PAX records otherwise). */
export interface BlockFields {
  readonly name: string;
  readonly prefix: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
}

/** Writes `value` as zero-padded octal digits plus a NUL (the value must fit, see octalLimit). */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  let rest = Math.trunc(value);
  block[offset + length - 1] = 0;
  for (let i = offset + length - 2; i >= offset; i--) {
    block[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
}

/** Largest value an octal field of `length` bytes can hold (with its terminating NUL). */
export function octalLimit(length: number): number {
  return 8 ** (length - 1) - 1;
}

/** Encodes a ustar (POSIX) header block with empty uname/gname. */
export function encodeHeaderBlock(fields: BlockFields): Buffer {
  const block = Buffer.allocUnsafe(BLOCK_SIZE);
  encodeHeaderBlockInto(block, 0, fields);
  return block;
}

/** Encodes the header block into `target` at `offset` (512 bytes, overwritten entirely). */
export function encodeHeaderBlockInto(target: Buffer, offset: number, fields: BlockFields): void {
  const block = target.subarray(offset, offset + BLOCK_SIZE);
  block.fill(0);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, fields.uid);
  writeOctal(block, 116, 8, fields.gid);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block[156] = fields.typeflag.charCodeAt(0);
  if (fields.linkname !== '') block.write(fields.linkname, 157, 100, 'utf8');
  USTAR_MAGIC.copy(block, 257);
  writeOctal(block, 329, 8, fields.devmajor);
  writeOctal(block, 337, 8, fields.devminor);
  if (fields.prefix !== '') block.write(fields.prefix, 345, 155, 'utf8');
  writeOctal(block, 148, 7, checksumOf(block));
  block[155] = 0x20;
}
