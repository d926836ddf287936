/**
 * Choosing the snapshot strategy once, by trying each in a scratch directory under workRoot:
 * kernel overlayfs (with `userxattr` inside a user namespace, kernel >= 5.11), then fuse-overlayfs
 * (when /dev/fuse is usable), then plain copies. A strategy counts as working when a file can be
 * created and a lower file deleted (leaving a whiteout in the upper dir) through the mount.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { findProgram } from '../userns/prerequisites.js';
import { prepareOverlay } from './overlay.js';
import type { SnapshotStrategy } from './types.js';

export interface ProbeSnapshotterOptions {
  /** Where snapshots will live (the probe must run on the same filesystem). */
  readonly workRoot: string;
  /** kiln runs in a user namespace it created (not as real root): overlay needs `userxattr`. */
  readonly inUserNamespace: boolean;
  readonly pathVar: string | undefined;
  /** Force a strategy kind instead of the first that works (it is still probed, except `copy`). */
  readonly requested?: SnapshotStrategy['kind'] | 'auto';
}

export interface SnapshotProbeAttempt {
  readonly kind: SnapshotStrategy['kind'];
  readonly ok: boolean;
  readonly reason?: string;
}

export interface SnapshotProbeResult {
  readonly strategy: SnapshotStrategy;
  readonly attempts: readonly SnapshotProbeAttempt[];
}

async function tryStrategy(
  strategy: SnapshotStrategy & { kind: 'overlay' | 'fuse-overlayfs' },
  dir: string,
  n: number,
): Promise<void> {
  const lower = join(dir, `lower-${n}`);
  await mkdir(lower);
  await writeFile(join(lower, 'gone'), 'x');
  const snap = await prepareOverlay({ strategy, lowers: [lower], id: `snap-${n}`, workRoot: dir }, strategy);
  try {
    await writeFile(join(snap.path, 'new'), 'y');
    await rm(join(snap.path, 'gone'));
    const whiteout = await lstat(join(snap.upperDir!, 'gone'));
    if (!(whiteout.isCharacterDevice() || whiteout.isFile())) throw new Error('no whiteout in the upper dir');
    await lstat(join(snap.upperDir!, 'new'));
  } finally {
    await snap.cleanup();
  }
}

/** Probes the strategies in order of preference and returns the first that works. */
export async function probeSnapshotter(options: ProbeSnapshotterOptions): Promise<SnapshotProbeResult> {
  const requested = options.requested ?? 'auto';
  if (requested === 'copy') return { strategy: { kind: 'copy' }, attempts: [] };
  await mkdir(options.workRoot, { recursive: true });
  const dir = await mkdtemp(join(options.workRoot, '.probe-'));
  const attempts: SnapshotProbeAttempt[] = [];
  const candidates: SnapshotStrategy[] = [];
  const mount = await findProgram('mount', options.pathVar);
  const umount = await findProgram('umount', options.pathVar);
  if (mount !== undefined && umount !== undefined && (requested === 'auto' || requested === 'overlay')) {
    const order = options.inUserNamespace ? [true, false] : [false];
    for (const userxattr of order) candidates.push({ kind: 'overlay', userxattr, mount, umount });
  }
  const fuse = await findProgram('fuse-overlayfs', options.pathVar);
  const fuseUmount = (await findProgram('fusermount3', options.pathVar)) ?? umount;
  if (
    fuse !== undefined &&
    fuseUmount !== undefined &&
    (requested === 'auto' || requested === 'fuse-overlayfs')
  ) {
    candidates.push({ kind: 'fuse-overlayfs', path: fuse, umount: fuseUmount });
  }
  try {
    for (const [n, strategy] of candidates.entries()) {
      if (strategy.kind === 'copy') continue;
      try {
        if (strategy.kind === 'fuse-overlayfs') {
          await access('/dev/fuse', constants.R_OK | constants.W_OK).catch(() => {
            throw new Error('/dev/fuse is missing or not accessible');
          });
        }
        await tryStrategy(strategy, dir, n);
        attempts.push({ kind: strategy.kind, ok: true });
        return { strategy, attempts };
      } catch (error) {
        attempts.push({
          kind: strategy.kind,
          ok: false,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (requested !== 'auto') {
    throw new KilnError(
      ErrorCode.Snapshot,
      `the ${requested} snapshotter does not work here: ${attempts.map((a) => a.reason).join('; ')}`,
      {
        hint: 'see docs/rootless.md, or use --snapshotter copy',
      },
    );
  }
  attempts.push({ kind: 'copy', ok: true });
  return { strategy: { kind: 'copy' }, attempts };
}
