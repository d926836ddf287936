/**
 * Reading a docker-archive (`docker save` output) as an `ImageSource`. Both forms are read through
 * `manifest.json` (`[{Config, RepoTags, Layers}]`, paths of archive members):
 *
 * - legacy: `<id>.json` configs and `<id>/layer.tar` (or skopeo's `<hex>.tar`) layers;
 * - docker 25+: an OCI layout inside (`blobs/sha256/…`, index.json) — when index.json holds a manifest
 *   with exactly this config and these layers, that manifest is used as is.
 *
 * Otherwise a Docker schema 2 manifest is made from the files, byte for byte as containers-image
 * (skopeo, podman) makes it, so the same archive gets the same manifest digest in kiln and podman:
 * Go field order, and — containers-image's convention — the gzip layer media type for uncompressed
 * layer files (kiln reads layers by their magic bytes, as docker and containerd do). zstd files get
 * the zstd type. Uncompressed layers must match the config's diff_ids.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { detectCompression } from '../layer/compression.js';
import { type Digest, sha256Digest } from '../oci/digest.js';
import { DockerMediaType } from '../oci/media-types.js';
import { parseConfig, parseIndex, parseManifestDocument } from '../oci/parse-document.js';
import type { Descriptor, ImageConfig } from '../oci/types.js';
import { openVerified, readVerified } from './blob-files.js';
import { repoTag } from './docker-archive-destination.js';
import type { ExtractedArchive, ExtractedFile } from './extract-archive.js';
import type { ImageSource, SourceImage } from './transport.js';
import type { ImagePick } from './transport-spec.js';

interface Item {
  readonly config: string;
  readonly repoTags: readonly string[];
  readonly layers: readonly string[];
}

function invalid(where: string, why: string): KilnError {
  return new KilnError(ErrorCode.InvalidDocument, `${where}: invalid manifest.json: ${why}`);
}

/** Validates the shape of manifest.json. */
export function parseDockerArchiveManifest(json: unknown, where: string): readonly Item[] {
  if (!Array.isArray(json)) throw invalid(where, 'not an array');
  if (json.length === 0) throw invalid(where, 'no images');
  return json.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalid(where, `entry ${i} is not an object`);
    const { Config, RepoTags, Layers } = raw as Record<string, unknown>;
    if (typeof Config !== 'string' || Config === '') throw invalid(where, `entry ${i}: Config is not a path`);
    if (!Array.isArray(Layers) || !Layers.every((l) => typeof l === 'string' && l !== '')) {
      throw invalid(where, `entry ${i}: Layers is not a list of paths`);
    }
    if (RepoTags !== undefined && RepoTags !== null) {
      if (!Array.isArray(RepoTags) || !RepoTags.every((t) => typeof t === 'string')) {
        throw invalid(where, `entry ${i}: RepoTags is not a list of strings`);
      }
    }
    return {
      config: Config,
      repoTags: (RepoTags as string[] | null | undefined) ?? [],
      layers: Layers as string[],
    };
  });
}

async function sniff(file: ExtractedFile): Promise<ReturnType<typeof detectCompression>> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await handle.read(head, 0, 6, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

interface LoadedImage {
  readonly root: Descriptor;
  readonly names: readonly string[];
  readonly configDigest: Digest;
}

/** A docker-archive (already unpacked) as an image source. */
export class DockerArchiveSource implements ImageSource {
  readonly description: string;
  readonly #archive: ExtractedArchive;
  readonly #pick: ImagePick;
  readonly #files = new Map<string, ExtractedFile>();
  readonly #documents = new Map<string, Buffer>();
  #loaded: readonly LoadedImage[] | undefined;

  constructor(archive: ExtractedArchive, pick: ImagePick) {
    this.#archive = archive;
    this.#pick = pick;
    this.description = `docker-archive:${archive.source}`;
  }

  #member(path: string, what: string): ExtractedFile {
    const file = this.#archive.file(path);
    if (file === undefined) {
      throw new KilnError(
        ErrorCode.InvalidDocument,
        `${this.description}: ${what} ${JSON.stringify(path)} is missing`,
      );
    }
    this.#files.set(file.digest, file);
    return file;
  }

  async #load(): Promise<readonly LoadedImage[]> {
    if (this.#loaded !== undefined) return this.#loaded;
    const items = parseDockerArchiveManifest(
      await this.#archive.readJson('manifest.json', 'manifest.json'),
      this.description,
    );
    const layoutManifests = await this.#layoutManifests();
    const loaded: LoadedImage[] = [];
    for (const item of items) {
      const configFile = this.#member(item.config, 'config');
      const config: ImageConfig = parseConfig(
        await readVerified(configFile, this.#plain(configFile), this.description),
      );
      const layers = item.layers.map((path) => this.#member(path, 'layer'));
      if (config.rootfs.diff_ids.length !== layers.length) {
        throw new KilnError(
          ErrorCode.InvalidDocument,
          `${this.description}: config ${item.config} lists ${config.rootfs.diff_ids.length} layers, manifest.json ${layers.length}`,
        );
      }
      const compressions = await Promise.all(layers.map(sniff));
      layers.forEach((layer, i) => {
        if (compressions[i] === 'none' && layer.digest !== config.rootfs.diff_ids[i]) {
          throw new KilnError(
            ErrorCode.DigestMismatch,
            `${this.description}: layer ${layer.name} has digest ${layer.digest}, the config says ${config.rootfs.diff_ids[i]}`,
          );
        }
      });
      const match = layoutManifests.find(
        (m) =>
          m.config === configFile.digest &&
          m.layers.length === layers.length &&
          m.layers.every((digest, i) => digest === layers[i]!.digest),
      );
      const root = match?.descriptor ?? this.#synthesize(configFile, layers, compressions);
      loaded.push({ root, names: item.repoTags, configDigest: configFile.digest });
    }
    this.#loaded = loaded;
    return loaded;
  }

  #plain(file: ExtractedFile): Descriptor {
    return { mediaType: 'application/octet-stream', digest: file.digest, size: file.size };
  }

  #synthesize(
    config: ExtractedFile,
    layers: readonly ExtractedFile[],
    compressions: readonly ReturnType<typeof detectCompression>[],
  ): Descriptor {
    // Field order and media types as containers-image writes them (see the module comment).
    const manifest = {
      schemaVersion: 2,
      mediaType: DockerMediaType.Manifest,
      config: { mediaType: DockerMediaType.Config, size: config.size, digest: config.digest },
      layers: layers.map((layer, i) => ({
        mediaType: compressions[i] === 'zstd' ? DockerMediaType.LayerZstd : DockerMediaType.LayerGzip,
        size: layer.size,
        digest: layer.digest,
      })),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(bytes);
    this.#documents.set(digest, bytes);
    return { mediaType: DockerMediaType.Manifest, digest, size: bytes.length };
  }

  /** Manifests of an OCI layout inside the archive (docker 25+), with their config and layer digests. */
  async #layoutManifests(): Promise<
    readonly { descriptor: Descriptor; config: string; layers: readonly string[] }[]
  > {
    if (this.#archive.file('index.json') === undefined || this.#archive.file('oci-layout') === undefined)
      return [];
    const index = parseIndex(JSON.stringify(await this.#archive.readJson('index.json', 'index.json')));
    const found: { descriptor: Descriptor; config: string; layers: readonly string[] }[] = [];
    const visit = async (entries: readonly Descriptor[], depth: number): Promise<void> => {
      for (const entry of entries) {
        const file = this.#archive.file(`blobs/${entry.digest.replace(':', '/')}`);
        if (file === undefined) continue;
        const doc = parseManifestDocument(await readVerified(file, entry, this.description), entry.mediaType);
        this.#files.set(file.digest, file);
        if (doc.kind === 'manifest') {
          const { annotations: _a, platform: _p, ...plain } = entry;
          found.push({
            descriptor: plain,
            config: doc.manifest.config.digest,
            layers: doc.manifest.layers.map((l) => l.digest),
          });
        } else if (depth < 2) {
          await visit(doc.index.manifests, depth + 1);
        }
      }
    };
    await visit(index.manifests, 0);
    return found;
  }

  async images(): Promise<readonly SourceImage[]> {
    const loaded = await this.#load();
    const pick = this.#pick;
    const image = (entry: LoadedImage): SourceImage => ({ root: entry.root, names: entry.names });
    switch (pick.kind) {
      case 'all':
        return loaded.map(image);
      case 'position': {
        const entry = loaded[pick.position];
        if (entry === undefined)
          throw this.#notFound(`no image number ${pick.position} (it has ${loaded.length})`);
        return [image(entry)];
      }
      case 'name': {
        const wanted = repoTag(pick.name) ?? pick.name;
        const entry = loaded.find((e) => e.names.some((name) => (repoTag(name) ?? name) === wanted));
        if (entry === undefined) throw this.#notFound(`no image tagged ${JSON.stringify(pick.name)}`);
        return [{ root: entry.root, names: [pick.name] }];
      }
      case 'digest': {
        const entry = loaded.find((e) => e.root.digest === pick.digest || e.configDigest === pick.digest);
        if (entry === undefined) throw this.#notFound(`no image ${pick.digest}`);
        return [image(entry)];
      }
      default:
        return assertNever(pick, 'image pick');
    }
  }

  #notFound(what: string): KilnError {
    const tags = (this.#loaded ?? []).flatMap((e) => e.names);
    return new KilnError(ErrorCode.NotFound, `${this.description}: ${what}`, {
      hint: tags.length > 0 ? `it has: ${tags.join(', ')}` : 'its images have no tags; use :@N',
    });
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    await this.#load();
    return this.#documents.has(descriptor.digest) || this.#files.has(descriptor.digest);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    await this.#load();
    const document = this.#documents.get(descriptor.digest);
    if (document !== undefined) {
      return Readable.from([document]);
    }
    return openVerified(this.#require(descriptor), descriptor, this.description);
  }

  async readBlob(descriptor: Descriptor): Promise<Buffer> {
    await this.#load();
    const document = this.#documents.get(descriptor.digest);
    if (document !== undefined) {
      if (document.length !== descriptor.size) {
        throw new KilnError(
          ErrorCode.DigestMismatch,
          `${this.description}: ${descriptor.digest} size differs`,
        );
      }
      return document;
    }
    return readVerified(this.#require(descriptor), descriptor, this.description);
  }

  #require(descriptor: Descriptor): ExtractedFile {
    const file = this.#files.get(descriptor.digest);
    if (file === undefined) {
      throw new KilnError(
        ErrorCode.NotFound,
        `${this.description}: blob ${descriptor.digest} is not in the archive`,
      );
    }
    return file;
  }

  close(): Promise<void> {
    return this.#archive.close();
  }
}
