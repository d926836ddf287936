/**
 * The `user.rootlesscontainers` xattr (github.com/rootless-containers/proto): a protobuf `Resource`
 * message `{ uint32 uid = 1; uint32 gid = 2; }` recording the owner a file would have had.
 * Zero values are omitted on the wire (proto3) and decode as 0; 0xFFFFFFFF means "unchanged".
 */
import { ErrorCode, KilnError } from '../errors.js';

export const ROOTLESS_XATTR = 'user.rootlesscontainers';

/** The "keep this id unchanged" value. */
export const NOOP_ID = 0xffff_ffff;

export interface RootlessResource {
  readonly uid: number;
  readonly gid: number;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Encodes the message (fields with value 0 are omitted, as proto3 does). */
export function encodeRootlessResource(resource: RootlessResource): Buffer {
  const bytes: number[] = [];
  if (resource.uid !== 0) bytes.push(0x08, ...varint(resource.uid));
  if (resource.gid !== 0) bytes.push(0x10, ...varint(resource.gid));
  return Buffer.from(bytes);
}

/** Decodes the message; unknown fields are skipped, malformed input is E_INVALID_DOCUMENT. */
export function decodeRootlessResource(data: Buffer): RootlessResource {
  let uid = 0;
  let gid = 0;
  let i = 0;
  const bad = (): KilnError => new KilnError(ErrorCode.InvalidDocument, `malformed ${ROOTLESS_XATTR} value`);
  const readVarint = (): number => {
    let value = 0;
    let factor = 1;
    for (;;) {
      if (i >= data.length || factor > 2 ** 63) throw bad();
      const b = data[i++]!;
      value += (b & 0x7f) * factor;
      factor *= 128;
      if ((b & 0x80) === 0) return value;
    }
  };
  while (i < data.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const value = readVarint();
      if (field === 1) uid = value % 2 ** 32;
      else if (field === 2) gid = value % 2 ** 32;
    } else if (wire === 2) {
      const length = readVarint();
      i += length;
      if (i > data.length) throw bad();
    } else if (wire === 5) {
      i += 4;
    } else if (wire === 1) {
      i += 8;
    } else {
      throw bad();
    }
  }
  if (i !== data.length) throw bad();
  return { uid, gid };
}
