/** The `overlay` and `fuse-overlayfs` strategies: lowers stacked under a per-snapshot upper dir. */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { mustRun, runTool } from './run-tool.js';
import type { PreparedRootfs, PrepareRootfsOptions, SnapshotStrategy } from './types.js';

/** Overlay mount options for lowers (top first), upper and work dirs (pure). */
export function overlayOptions(
  lowers: readonly string[],
  upper: string,
  work: string,
  extra: readonly string[],
): string {
  for (const dir of [...lowers, upper, work]) {
    if (/[,:\\]/.test(dir)) {
      throw new KilnError(ErrorCode.Snapshot, `snapshot path ${JSON.stringify(dir)} contains , : or \\`);
    }
  }
  const options = [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`, ...extra].join(
    ',',
  );
  if (options.length > 4000) {
    throw new KilnError(ErrorCode.Snapshot, `too many layers for one overlay mount (${lowers.length})`, {
      hint: 'use shorter store paths or the copy snapshotter',
    });
  }
  return options;
}

type OverlayStrategy = Extract<SnapshotStrategy, { kind: 'overlay' | 'fuse-overlayfs' }>;

/** Mounts an overlay for the snapshot; the caller must call cleanup(). */
export async function prepareOverlay(
  options: PrepareRootfsOptions,
  strategy: OverlayStrategy,
): Promise<PreparedRootfs> {
  const dir = join(options.workRoot, options.id);
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  const empty = join(dir, 'empty');
  await mkdir(dir, { recursive: false });
  for (const d of [upper, work, merged, empty]) await mkdir(d, { mode: 0o755 });
  // overlayfs needs at least one lower; an empty one stands for FROM scratch.
  const lowers = options.lowers.length > 0 ? options.lowers : [empty];
  let mounted = false;
  const cleanup = async () => {
    if (mounted) {
      const r = await runTool(strategy.umount, [merged]);
      if (r.code !== 0) {
        throw new KilnError(ErrorCode.Snapshot, `cannot unmount ${merged}: ${r.stderr.trim()}`);
      }
      mounted = false;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (strategy.kind === 'overlay') {
      const extra = strategy.userxattr ? ['userxattr'] : [];
      await mustRun(
        strategy.mount,
        ['-t', 'overlay', 'kiln-overlay', '-o', overlayOptions(lowers, upper, work, extra), merged],
        ErrorCode.Snapshot,
        options.signal,
      );
    } else {
      await mustRun(
        strategy.path,
        ['-o', overlayOptions(lowers, upper, work, []), merged],
        ErrorCode.Snapshot,
        options.signal,
      );
    }
    mounted = true;
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
  return { path: merged, upperDir: upper, cleanup };
}
