/**
 * An OCI image (layout directory or archive) as canonical, comparable data: the Dockerfile-relevant
 * config fields and the flattened file tree without timestamps. Unpacking needs root (owners).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CanonicalConfig, canonicalConfig } from './image-config.js';
import { extractArchive, readLayoutImage, unpackLayers } from './oci-image.js';
import { type TreeEntry, walkTree } from './tree-walk.js';

/** The canonical form of one image. */
export interface NormalisedImage {
  readonly config: CanonicalConfig;
  readonly tree: readonly TreeEntry[];
}

/** Where the image is: an OCI layout directory or an OCI archive file; `ref` selects a tag in it. */
export interface ImageSource {
  readonly path: string;
  readonly ref?: string;
}

/** Reads, unpacks and walks the image; temp directories are removed again. */
export async function normaliseImage(source: ImageSource): Promise<NormalisedImage> {
  const isDir = (await stat(source.path)).isDirectory();
  const layout = isDir ? source.path : await extractArchive(source.path);
  const rootfs = await mkdtemp(join(tmpdir(), 'kiln-diff-rootfs-'));
  try {
    const image = await readLayoutImage(layout, source.ref);
    await unpackLayers(rootfs, image.layerFiles);
    return {
      config: canonicalConfig(image.config.config, image.config.author),
      tree: await walkTree(rootfs),
    };
  } finally {
    await rm(rootfs, { recursive: true, force: true });
    if (!isDir) await rm(layout, { recursive: true, force: true });
  }
}

/** Changes of `image` against `base`: entries added or different, and paths removed. */
export interface TreeDelta {
  readonly changed: readonly TreeEntry[];
  readonly removed: readonly string[];
}

/** What a build changed on top of its base image's tree. */
export function treeDelta(base: readonly TreeEntry[], image: readonly TreeEntry[]): TreeDelta {
  const before = new Map(base.map((e) => [e.path, JSON.stringify(e)]));
  const after = new Set(image.map((e) => e.path));
  return {
    changed: image.filter((e) => before.get(e.path) !== JSON.stringify(e)),
    removed: base.filter((e) => !after.has(e.path)).map((e) => e.path),
  };
}
