/**
 * The `copy` strategy: lowers are copied bottom-up into a base tree (`cp -a --reflink=auto`, so
 * copy-on-write filesystems share blocks), applying overlay-style whiteouts and opaque directories,
 * then the base is copied once more into the writable tree; the layer differ compares the two.
 * With a single lower, that lower itself is the base (no whiteouts can matter there).
 */
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../errors.js';
import { mustRun, runTool } from './run-tool.js';
import type { PreparedRootfs, PrepareRootfsOptions } from './types.js';

const OPAQUE_XATTRS = ['user.overlay.opaque', 'trusted.overlay.opaque'];

/** Parses `getfattr -d` output into the relative paths whose opaque attribute is "y" (pure). */
export function parseOpaqueListing(listing: string, layer: string): string[] {
  const out: string[] = [];
  for (const block of listing.split(/\n(?=# file: )/)) {
    const lines = block.split('\n');
    const header = lines[0] ?? '';
    if (!header.startsWith('# file: ')) continue;
    const path = header.slice('# file: '.length);
    if (lines.some((l) => OPAQUE_XATTRS.some((name) => l === `${name}="y"`))) {
      out.push(path.slice(layer.length).replace(/^\/+/, ''));
    }
  }
  return out;
}

/** Relative paths of the directories marked opaque in a tree (none when getfattr is not installed). */
async function opaqueDirs(layer: string): Promise<string[]> {
  const r = await runTool('getfattr', [
    '-R',
    '-P',
    '--absolute-names',
    '-d',
    '-m',
    '^(user|trusted)\\.overlay\\.opaque$',
    layer,
  ]).catch(() => undefined);
  return r === undefined ? [] : parseOpaqueListing(r.stdout, layer);
}

interface LayerMarks {
  readonly whiteouts: string[];
  /** Entries whose type in this layer differs from the base (must be removed before copying over). */
  readonly replaced: string[];
}

async function walkLayer(
  layer: string,
  base: string,
  rel = '',
  marks: LayerMarks = { whiteouts: [], replaced: [] },
): Promise<LayerMarks> {
  for (const entry of await readdir(join(layer, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const st = await lstat(join(layer, path));
    if (st.isCharacterDevice() && st.rdev === 0) {
      marks.whiteouts.push(path);
      continue;
    }
    const existing = await lstat(join(base, path)).catch(() => undefined);
    if (existing !== undefined && existing.isDirectory() !== st.isDirectory()) marks.replaced.push(path);
    if (st.isDirectory() && existing?.isDirectory()) await walkLayer(layer, base, path, marks);
  }
  return marks;
}

async function applyLowerCopy(layer: string, base: string, signal?: AbortSignal): Promise<void> {
  for (const dir of await opaqueDirs(layer)) {
    const target = join(base, dir);
    for (const child of await readdir(target).catch(() => [] as string[])) {
      await rm(join(target, child), { recursive: true, force: true });
    }
  }
  const marks = await walkLayer(layer, base);
  for (const path of [...marks.whiteouts, ...marks.replaced])
    await rm(join(base, path), { recursive: true, force: true });
  await mustRun('cp', ['-a', '--reflink=auto', `${layer}/.`, `${base}/`], ErrorCode.Snapshot, signal);
  for (const path of marks.whiteouts) await rm(join(base, path), { force: true });
  for (const dir of await opaqueDirs(base)) {
    for (const name of OPAQUE_XATTRS)
      await runTool('setfattr', ['-h', '-x', name, join(base, dir)]).catch(() => {});
  }
}

/** Prepares a copied snapshot. */
export async function prepareCopy(options: PrepareRootfsOptions): Promise<PreparedRootfs> {
  const dir = join(options.workRoot, options.id);
  await mkdir(dir, { recursive: false });
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const rootfs = join(dir, 'rootfs');
    let base: string;
    if (options.lowers.length === 1) {
      base = options.lowers[0]!;
    } else {
      base = join(dir, 'base');
      await mkdir(base, { mode: 0o755 });
      for (const layer of [...options.lowers].reverse()) await applyLowerCopy(layer, base, options.signal);
    }
    await mkdir(rootfs, { mode: 0o755 });
    await mustRun(
      'cp',
      ['-a', '--reflink=auto', `${base}/.`, `${rootfs}/`],
      ErrorCode.Snapshot,
      options.signal,
    );
    return { path: rootfs, baseDir: base, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
