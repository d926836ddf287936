/**
 * Reads one image out of an OCI image layout (a directory, or an archive of one: oci-archive /
 * `--output type=oci`) and unpacks its layers in order into a directory with GNU tar, applying OCI
 * whiteouts (`.wh.NAME` removes NAME of lower layers, `.wh..wh..opq` empties its directory first).
 * Needs root to keep owners. Test-only code; inputs are trusted test outputs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const REF_ANNOTATION = 'org.opencontainers.image.ref.name';

interface Desc {
  readonly mediaType?: string;
  readonly digest: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly os?: string; readonly architecture?: string };
}

/** An image found in a layout: its raw config document and layer blob files (lowest first). */
export interface LayoutImage {
  readonly config: Record<string, unknown>;
  readonly layerFiles: readonly string[];
}

function blobPath(layout: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return join(layout, 'blobs', algorithm!, hex!);
}

async function readJson(layout: string, digest: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(blobPath(layout, digest), 'utf8')) as Record<string, unknown>;
}

function pick(manifests: readonly Desc[], ref: string | undefined): Desc {
  const candidates =
    ref === undefined ? manifests : manifests.filter((m) => m.annotations?.[REF_ANNOTATION] === ref);
  const linux = candidates.find((m) => m.platform === undefined || m.platform.os === 'linux');
  if (linux === undefined) throw new Error(`no image${ref === undefined ? '' : ` tagged ${ref}`} in layout`);
  return linux;
}

/** Resolves `ref` (an index annotation; omit for the only/first image) to its config and layers. */
export async function readLayoutImage(layout: string, ref?: string): Promise<LayoutImage> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Desc[] };
  let desc = pick(index.manifests, ref);
  let doc = await readJson(layout, desc.digest);
  while (INDEX_TYPES.has(String(doc.mediaType ?? desc.mediaType)) || Array.isArray(doc.manifests)) {
    desc = pick(doc.manifests as Desc[], undefined);
    doc = await readJson(layout, desc.digest);
  }
  const config = await readJson(layout, (doc.config as Desc).digest);
  const layerFiles = (doc.layers as Desc[]).map((l) => blobPath(layout, l.digest));
  return { config, layerFiles };
}

/** Extracts an OCI archive into a new temp directory; the caller removes it. */
export async function extractArchive(archive: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-diff-layout-'));
  await run('tar', ['-xf', archive, '-C', dir]);
  return dir;
}

function clean(name: string): string {
  return posix.normalize(name.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
}

async function applyWhiteouts(root: string, layer: string): Promise<void> {
  const { stdout } = await run('tar', ['-tf', layer], { maxBuffer: 1024 * 1024 * 1024 });
  for (const raw of stdout.split('\n')) {
    const name = clean(raw);
    const base = posix.basename(name);
    if (!base.startsWith('.wh.')) continue;
    const dir = posix.dirname(name);
    if (base === '.wh..wh..opq') {
      const target = join(root, dir);
      const children = await readdir(target).catch(() => [] as string[]);
      for (const child of children) await rm(join(target, child), { recursive: true, force: true });
    } else {
      await rm(join(root, dir, base.slice('.wh.'.length)), { recursive: true, force: true });
    }
  }
}

/** Applies `layerFiles` (tar, tar+gzip or tar+zstd) in order onto `root`, keeping numeric owners. */
export async function unpackLayers(root: string, layerFiles: readonly string[]): Promise<void> {
  for (const layer of layerFiles) {
    await applyWhiteouts(root, layer);
    await run('tar', [
      '-xf',
      layer,
      '-C',
      root,
      '--numeric-owner',
      '--same-owner',
      '--same-permissions',
      '--xattrs',
      '--exclude=.wh.*',
    ]);
  }
}
