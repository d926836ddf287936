/**
 * Snapshot strategies: how a build gets a writable root filesystem on top of the unpacked layers.
 *
 * Lower directories use the overlayfs conventions for deletions, so that the kernel can stack them
 * directly: a whiteout is a 0:0 character device (or an empty file with `<prefix>.overlay.whiteout`),
 * an opaque directory carries `<prefix>.overlay.opaque` = "y", where prefix is `user` inside a user
 * namespace (mounted with `userxattr`) and `trusted` for real root.
 */

/** Chosen once by `probeSnapshotter`. */
export type SnapshotStrategy =
  | {
      /** Kernel overlayfs (in a user namespace: kernel >= 5.11, with `userxattr`). */
      readonly kind: 'overlay';
      readonly userxattr: boolean;
      readonly mount: string;
      readonly umount: string;
    }
  | {
      /** fuse-overlayfs (needs /dev/fuse usable by the user). */
      readonly kind: 'fuse-overlayfs';
      readonly path: string;
      readonly umount: string;
    }
  | {
      /** Plain copies (reflinks where the filesystem supports them): works everywhere, costs space/time. */
      readonly kind: 'copy';
    };

export interface PrepareRootfsOptions {
  readonly strategy: SnapshotStrategy;
  /** Unpacked layer directories, TOP FIRST (like overlayfs' lowerdir). May be empty (FROM scratch). */
  readonly lowers: readonly string[];
  /** Unique name of this snapshot (a directory of that name is made under workRoot). */
  readonly id: string;
  /** Directory for per-build working state (upper/work/merged dirs). */
  readonly workRoot: string;
  readonly signal?: AbortSignal;
}

/** A writable root filesystem. */
export interface PreparedRootfs {
  /** The merged, writable tree to run steps in. */
  readonly path: string;
  /** overlay strategies: the upper dir holding exactly the changes (diff with 'overlay-upper'). */
  readonly upperDir?: string;
  /** copy strategy: the unchanged tree to compare against (diff with 'compare'). */
  readonly baseDir?: string;
  /** Unmounts and removes everything this snapshot created (never the lowers). Idempotent. */
  cleanup(): Promise<void>;
}
