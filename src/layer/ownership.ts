/**
 * How file owners from a layer are materialised on disk and read back — chosen once per build:
 *
 * - `native`: lchown to the tar uid/gid. For root, or inside a user namespace whose map covers the ids.
 * - `xattr`: the single-id rootless fallback. Files stay owned by the current user; the wanted uid:gid
 *   goes into the `user.rootlesscontainers` xattr (umoci / rootlesscontainers-proto format), or, when
 *   the filesystem has no user xattrs, into a sidecar file outside the tree (JSON lines
 *   `{"path":"<root-relative>","uid":N,"gid":N}`, last line for a path wins). Linux only allows user
 *   xattrs on regular files and directories, so symlink / FIFO owners are not recorded (they read back
 *   as 0:0).
 */
import { lchownSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import {
  decodeRootlessResource,
  encodeRootlessResource,
  NOOP_ID,
  ROOTLESS_XATTR,
} from './rootless-resource.js';
import type { XattrMap, XattrWrite } from './xattr-tools.js';

/** A node whose owner should be set. */
export interface OwnedNode {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  /** Only regular files and directories can carry user xattrs. */
  readonly kind: 'file' | 'directory' | 'other';
  /** True when the node existed before this entry (a stale record must then be overwritten). */
  readonly existed: boolean;
}

/** A numeric uid:gid pair. */
export interface DiskOwner {
  readonly uid: number;
  readonly gid: number;
}

/** Records owners during one apply run. */
export interface OwnershipWriter {
  setOwner(node: OwnedNode): Promise<void>;
  /** Xattr writes that must happen before modes are tightened (the apply flushes them). */
  readonly pendingXattrs: readonly XattrWrite[];
  finish(): Promise<void>;
}

/** Looks up the owner a node on disk stands for. */
export interface OwnerReader {
  /** `onDisk` is the owner the filesystem reports. */
  ownerOf(path: string, onDisk: DiskOwner, xattrs: XattrMap | undefined): DiskOwner;
}

export interface OwnershipStrategy {
  readonly kind: 'native' | 'xattr';
  /** Whether device nodes can be created (never in the single-id fallback). */
  readonly canCreateDevices: boolean;
  /** Xattrs the strategy owns: hidden from layer tars in both directions. */
  readonly privateXattrs: readonly string[];
  begin(root: string): OwnershipWriter;
  reader(root: string): Promise<OwnerReader>;
}

/** Owners are real: lchown on apply, stat on diff. */
export function nativeOwnership(): OwnershipStrategy {
  return {
    kind: 'native',
    canCreateDevices: true,
    privateXattrs: [],
    begin(): OwnershipWriter {
      return {
        pendingXattrs: [],
        async setOwner(node: OwnedNode): Promise<void> {
          lchownSync(node.path, node.uid, node.gid); // sync: one syscall, see apply.ts
        },
        async finish(): Promise<void> {},
      };
    },
    async reader(): Promise<OwnerReader> {
      return { ownerOf: (_path, onDisk) => onDisk };
    },
  };
}

export interface XattrOwnershipOptions {
  /** Record owners in this file (outside the tree) instead of xattrs. */
  readonly sidecar?: string;
}

/** Single-id fallback: owners recorded, not applied. */
export function xattrOwnership(options: XattrOwnershipOptions = {}): OwnershipStrategy {
  const sidecar = options.sidecar;
  return {
    kind: 'xattr',
    canCreateDevices: false,
    privateXattrs: [ROOTLESS_XATTR],
    begin(root: string): OwnershipWriter {
      const pendingXattrs: XattrWrite[] = [];
      const lines: string[] = [];
      return {
        pendingXattrs,
        async setOwner(node: OwnedNode): Promise<void> {
          const isRoot = node.uid === 0 && node.gid === 0;
          if (isRoot && !node.existed) return;
          if (sidecar !== undefined) {
            lines.push(JSON.stringify({ path: relative(root, node.path), uid: node.uid, gid: node.gid }));
            return;
          }
          if (node.kind === 'other') return;
          pendingXattrs.push({
            path: node.path,
            name: ROOTLESS_XATTR,
            value: encodeRootlessResource({ uid: node.uid, gid: node.gid }),
          });
        },
        async finish(): Promise<void> {
          if (sidecar !== undefined && lines.length > 0) await appendFile(sidecar, `${lines.join('\n')}\n`);
        },
      };
    },
    async reader(root: string): Promise<OwnerReader> {
      if (sidecar !== undefined) {
        const owners = await readSidecar(sidecar);
        return {
          ownerOf: (path) => owners.get(relative(root, path)) ?? { uid: 0, gid: 0 },
        };
      }
      return {
        ownerOf(path, _onDisk, xattrs) {
          const value = xattrs?.get(ROOTLESS_XATTR);
          if (value === undefined) return { uid: 0, gid: 0 };
          try {
            const { uid, gid } = decodeRootlessResource(value);
            return { uid: uid === NOOP_ID ? 0 : uid, gid: gid === NOOP_ID ? 0 : gid };
          } catch (error) {
            throw new KilnError(ErrorCode.InvalidDocument, `${path}: malformed ${ROOTLESS_XATTR} xattr`, {
              cause: error,
            });
          }
        },
      };
    },
  };
}

async function readSidecar(file: string): Promise<Map<string, { uid: number; gid: number }>> {
  const owners = new Map<string, { uid: number; gid: number }>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return owners;
    throw error;
  }
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as { path: string; uid: number; gid: number };
    owners.set(record.path, { uid: record.uid, gid: record.gid });
  }
  return owners;
}
