/**
 * Writes a minimal one-layer OCI image layout (for reference tools such as `umoci raw unpack` and
 * `skopeo copy oci:`). Bench-only helper: blobs are hashed while being copied, never buffered whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A blob stored in the layout. */
export interface LayoutBlob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

async function copyBlob(layout: string, file: string, mediaType: string): Promise<LayoutBlob> {
  const hash = createHash('sha256');
  const temp = join(layout, 'blobs', 'sha256', `.tmp-${process.pid}`);
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), hashing, createWriteStream(temp));
  const hex = hash.digest('hex');
  await rename(temp, join(layout, 'blobs', 'sha256', hex));
  return {
    digest: `sha256:${hex}`,
    size: (await stat(join(layout, 'blobs', 'sha256', hex))).size,
    mediaType,
  };
}

async function jsonBlob(layout: string, value: unknown, mediaType: string): Promise<LayoutBlob> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(layout, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length, mediaType };
}

/** Options for {@link writeOciLayout}. */
export interface OciLayoutOptions {
  readonly layout: string;
  readonly tag: string;
  /** Layer files (compressed as their media types say) with their uncompressed diffIDs. */
  readonly layers: readonly { readonly file: string; readonly mediaType: string; readonly diffID: string }[];
}

/** The blobs of the image written by {@link writeOciLayout}. */
export interface LayoutImage {
  readonly manifest: LayoutBlob;
  readonly config: LayoutBlob;
  readonly layers: readonly LayoutBlob[];
}

/** Creates `layout` holding one image tagged `tag`. */
export async function writeOciLayout(options: OciLayoutOptions): Promise<LayoutImage> {
  const { layout } = options;
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers: LayoutBlob[] = [];
  for (const layer of options.layers) layers.push(await copyBlob(layout, layer.file, layer.mediaType));
  const config = await jsonBlob(
    layout,
    {
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: options.layers.map((l) => l.diffID) },
    },
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = await jsonBlob(
    layout,
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers },
    'application/vnd.oci.image.manifest.v1+json',
  );
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': options.tag } }],
    }),
  );
  return { manifest, config, layers };
}

/** The file holding a blob of the layout. */
export function layoutBlobPath(layout: string, blob: LayoutBlob): string {
  return join(layout, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
}
