/**
 * Streaming tar reader: yields one member at a time with PAX / GNU extension records folded in and
 * every field validated. Bodies are streamed; a body the caller does not read is skipped.
 */
import { isUtf8 } from 'node:buffer';
import { ErrorCode, KilnError } from '../../errors.js';
import { ByteReader } from './byte-reader.js';
import { BLOCK_SIZE, decodeHeaderBlock, isZeroBlock, type RawHeader } from './header-block.js';
import { parsePaxRecords, paxInteger, paxTime } from './pax.js';
import { DEFAULT_TAR_LIMITS, type TarEntryHeader, type TarEntryType, type TarLimits } from './types.js';

/** One archive member: its header and its body bytes (only regular files have a body). */
export interface TarEntry {
  readonly header: TarEntryHeader;
  readonly body: AsyncIterable<Buffer>;
}

const MAX_ID = 0xffff_fffe;
const XATTR_PREFIX = 'SCHILY.xattr.';

function unsafe(message: string): KilnError {
  return new KilnError(ErrorCode.UnsafeArchive, message);
}

function padding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

function memberType(flag: string, name: string): TarEntryType {
  switch (flag) {
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char-device';
    case '4':
      return 'block-device';
    case '5':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      throw unsafe(`${JSON.stringify(name)}: unsupported tar entry type ${JSON.stringify(flag)}`);
  }
}

function decodeName(bytes: Buffer, what: string, limits: TarLimits): string {
  if (bytes.includes(0)) throw unsafe(`${what} contains a NUL byte`);
  if (bytes.length > limits.maxNameLength) {
    throw unsafe(`${what} is ${bytes.length} bytes long (limit ${limits.maxNameLength})`);
  }
  if (!isUtf8(bytes)) throw unsafe(`${what} is not valid UTF-8 (not supported)`);
  return bytes.toString('utf8');
}

interface Extensions {
  pax: Map<string, Buffer> | undefined;
  longName: Buffer | undefined;
  longLink: Buffer | undefined;
}

function buildHeader(
  raw: RawHeader,
  ext: Extensions,
  limits: TarLimits,
): { header: TarEntryHeader; dataSize: number } {
  const pax = ext.pax ?? new Map<string, Buffer>();
  const paxPath = pax.get('path');
  const nameBytes = paxPath ?? ext.longName ?? Buffer.from(raw.name, 'utf8');
  const name = decodeName(nameBytes, `entry name ${JSON.stringify(nameBytes.toString('utf8'))}`, limits);
  const where = JSON.stringify(name);
  const linkBytes = pax.get('linkpath') ?? ext.longLink ?? Buffer.from(raw.linkname, 'utf8');
  const linkname = decodeName(linkBytes, `${where}: link target`, limits);
  let type = memberType(raw.typeflag, name);
  if (type === 'file' && name.endsWith('/')) type = 'directory';
  const paxSize = pax.get('size');
  const size = paxSize === undefined ? raw.size : paxInteger(paxSize, 'size', Number.MAX_SAFE_INTEGER);
  const paxUid = pax.get('uid');
  const paxGid = pax.get('gid');
  const paxMtime = pax.get('mtime');
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of pax) {
    if (key.startsWith('GNU.sparse.')) throw unsafe(`${where}: sparse files are not supported`);
    if (key.startsWith(XATTR_PREFIX)) {
      const xname = key.slice(XATTR_PREFIX.length);
      if (xname === '' || xname.length > 255)
        throw unsafe(`${where}: bad xattr name ${JSON.stringify(xname)}`);
      if (value.length > 64 * 1024) throw unsafe(`${where}: xattr ${xname} value too large`);
      xattrs.set(xname, value);
    }
  }
  const header: TarEntryHeader = {
    name,
    type,
    mode: raw.mode & 0o7777,
    uid: paxUid === undefined ? raw.uid : paxInteger(paxUid, 'uid', MAX_ID),
    gid: paxGid === undefined ? raw.gid : paxInteger(paxGid, 'gid', MAX_ID),
    size: type === 'file' ? size : 0,
    mtime: paxMtime === undefined ? raw.mtime : paxTime(paxMtime, 'mtime'),
    linkname,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    xattrs,
  };
  if (header.uid > MAX_ID || header.gid > MAX_ID) throw unsafe(`${where}: uid/gid out of range`);
  if (type !== 'file' && size !== 0 && type !== 'directory') {
    throw unsafe(`${where}: a ${type} entry must not carry a body (size ${size})`);
  }
  if (header.size > limits.maxEntrySize) {
    throw new KilnError(
      ErrorCode.TooLarge,
      `${where}: entry is ${header.size} bytes, larger than the limit of ${limits.maxEntrySize}`,
    );
  }
  if ((type === 'symlink' || type === 'hardlink') && linkname === '') {
    throw unsafe(`${where}: ${type} without a target`);
  }
  return { header, dataSize: size };
}

/**
 * Reads members from decompressed tar bytes. Stops at the end-of-archive marker and then drains the
 * source. Errors are KilnError E_UNSAFE_ARCHIVE / E_TOO_LARGE naming the member.
 */
export async function* readTar(
  source: AsyncIterable<Buffer>,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source, limits.maxTotalSize);
  const ext: Extensions = { pax: undefined, longName: undefined, longLink: undefined };
  let members = 0;
  for (;;) {
    const offset = reader.consumed;
    const block = await reader.read(BLOCK_SIZE);
    if (block.length === 0) return; // EOF at a header boundary without the marker: accepted, as Go's reader does
    if (block.length < BLOCK_SIZE) throw unsafe(`truncated archive: partial header at byte ${offset}`);
    if (isZeroBlock(block)) {
      const second = await reader.read(BLOCK_SIZE);
      if (second.length !== 0 && !isZeroBlock(second))
        throw unsafe(`stray data after end marker at ${offset}`);
      await reader.drain();
      return;
    }
    let raw: RawHeader;
    try {
      raw = decodeHeaderBlock(block);
    } catch (error) {
      if (error instanceof KilnError) {
        throw new KilnError(error.code, `tar header at byte ${offset}: ${error.message}`);
      }
      throw error;
    }
    const short = (): KilnError => unsafe(`truncated archive inside entry ${JSON.stringify(raw.name)}`);
    if (raw.typeflag === 'x' || raw.typeflag === 'g' || raw.typeflag === 'L' || raw.typeflag === 'K') {
      if (raw.size > limits.maxExtensionSize) {
        throw new KilnError(ErrorCode.TooLarge, `extension header of ${raw.size} bytes at byte ${offset}`);
      }
      const data = await reader.read(raw.size + padding(raw.size));
      if (data.length < raw.size + padding(raw.size)) throw short();
      const body = data.subarray(0, raw.size);
      switch (raw.typeflag) {
        case 'x':
          ext.pax = parsePaxRecords(body);
          break;
        case 'g':
          parsePaxRecords(body); // validated, then ignored (as containerd does)
          break;
        case 'L':
          ext.longName = trimNul(body);
          break;
        default:
          ext.longLink = trimNul(body);
      }
      continue;
    }
    const { header, dataSize } = buildHeader(raw, ext, limits);
    ext.pax = undefined;
    ext.longName = undefined;
    ext.longLink = undefined;
    members++;
    if (members > limits.maxEntries) {
      throw new KilnError(ErrorCode.TooLarge, `archive has more than ${limits.maxEntries} entries`);
    }
    const shortEntry = (): KilnError =>
      unsafe(`truncated archive inside entry ${JSON.stringify(header.name)}`);
    const bodyStart = reader.consumed;
    yield { header, body: reader.stream(header.size, shortEntry) };
    const left = dataSize - (reader.consumed - bodyStart) + padding(dataSize);
    await reader.skip(left, shortEntry);
  }
}

function trimNul(data: Buffer): Buffer {
  const nul = data.indexOf(0);
  return nul === -1 ? data : data.subarray(0, nul);
}
