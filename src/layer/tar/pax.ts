/**
 * PAX extended header records (`"%d %s=%s\n"`), binary-safe: values stay bytes so that xattr values
 * such as `security.capability` survive.
 */
import { ErrorCode, KilnError } from '../../errors.js';

function unsafe(message: string): KilnError {
  return new KilnError(ErrorCode.UnsafeArchive, message);
}

/** Parses a PAX record block strictly; a malformed record fails the whole archive. */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    // Some writers pad the block with NULs after the last record.
    if (data[offset] === 0 && data.subarray(offset).every((b) => b === 0)) break;
    const space = data.indexOf(0x20, offset);
    if (space === -1 || space - offset > 20) throw unsafe('malformed PAX record (no length)');
    const lengthText = data.toString('latin1', offset, space);
    if (!/^[1-9][0-9]*$/.test(lengthText))
      throw unsafe(`malformed PAX record length ${JSON.stringify(lengthText)}`);
    const length = Number(lengthText);
    const end = offset + length;
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) {
      throw unsafe('malformed PAX record (length does not match)');
    }
    const equals = data.indexOf(0x3d, space + 1);
    if (equals === -1 || equals >= end - 1 || equals === space + 1)
      throw unsafe('malformed PAX record (no key)');
    const key = data.toString('utf8', space + 1, equals);
    if (key.includes('\0')) throw unsafe('malformed PAX record key');
    records.set(key, Buffer.from(data.subarray(equals + 1, end - 1)));
    offset = end;
  }
  return records;
}

/** Encodes one record, computing the self-including length prefix. */
export function encodePaxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.from(value), Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length), 'latin1'), body]);
}

const DECIMAL = /^[0-9]{1,16}$/;
const TIME = /^-?[0-9]{1,16}(\.[0-9]{1,9})?$/;

/** Reads a non-negative integer PAX value (size, uid, gid) with an upper bound. */
export function paxInteger(value: Buffer, key: string, max: number): number {
  const text = value.toString('latin1');
  if (!DECIMAL.test(text)) throw unsafe(`invalid PAX ${key} value ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n > max) throw unsafe(`PAX ${key} value ${text} out of range`);
  return n;
}

/** Reads a PAX time value (seconds with an optional fraction). */
export function paxTime(value: Buffer, key: string): number {
  const text = value.toString('latin1');
  if (!TIME.test(text)) throw unsafe(`invalid PAX ${key} value ${JSON.stringify(text)}`);
  return Number(text);
}
