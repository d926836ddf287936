/**
 * Writing a docker-archive (the `docker save` / `docker load` format) as a stream of tar members:
 * `<hex>.json` config files and `<hex>.tar` layer files named by blob digest, then `manifest.json`
 * (`[{Config, RepoTags, Layers}]`) and `repositories`. Holds single-platform images only; manifests
 * reach it already converted to Docker schema 2 by `copyImage`.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { parseDigest, verifyingStream } from '../oci/digest.js';
import { isConfigMediaType } from '../oci/media-types.js';
import { parseManifestDocument } from '../oci/parse-document.js';
import { familiarName, parseReference } from '../oci/reference.js';
import type { Descriptor, ImageManifest } from '../oci/types.js';
import type { ArchiveOutput } from './archive-output.js';
import type { DestinationCapabilities, ImageDestination } from './transport.js';

/** One entry of a docker-archive's manifest.json. */
export interface DockerArchiveItem {
  readonly Config: string;
  readonly RepoTags: readonly string[] | null;
  readonly Layers: readonly string[];
}

/** `name:tag` as docker writes RepoTags (`busybox:latest`, `ghcr.io/o/r:1`); undefined when not a tag. */
export function repoTag(name: string): string | undefined {
  try {
    const ref = parseReference(name);
    if (ref.tag === undefined || ref.digest !== undefined) return undefined;
    return `${familiarName(ref)}:${ref.tag}`;
  } catch {
    return undefined;
  }
}

/** A docker-archive being written to `output`. */
export class DockerArchiveDestination implements ImageDestination {
  readonly description: string;
  readonly capabilities: DestinationCapabilities = { indexes: false, format: 'docker' };
  readonly #output: ArchiveOutput;
  readonly #tag: string | undefined;
  readonly #files = new Map<string, string>();
  readonly #manifests = new Map<string, ImageManifest>();
  readonly #items: DockerArchiveItem[] = [];

  /** `tag`: the RepoTags entry for the (single) image instead of the source's names. */
  constructor(output: ArchiveOutput, tag?: string) {
    this.#output = output;
    this.description = `docker-archive:${output.description}`;
    if (tag !== undefined && repoTag(tag) === undefined) {
      throw new KilnError(
        ErrorCode.Reference,
        `${this.description}: ${JSON.stringify(tag)} is not a name:tag reference`,
      );
    }
    this.#tag = tag;
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    return this.#files.has(descriptor.digest);
  }

  async putBlob(descriptor: Descriptor, content: Readable): Promise<void> {
    const { hex } = parseDigest(descriptor.digest);
    const name = isConfigMediaType(descriptor.mediaType) ? `${hex}.json` : `${hex}.tar`;
    const check = verifyingStream({ digest: descriptor.digest, size: descriptor.size });
    content.on('error', (error) => check.destroy(error));
    await this.#output.addStream(name, descriptor.size, content.pipe(check));
    this.#files.set(descriptor.digest, name);
  }

  async putManifest(descriptor: Descriptor, bytes: Buffer): Promise<void> {
    const doc = parseManifestDocument(bytes, descriptor.mediaType);
    if (doc.kind !== 'manifest') {
      throw new KilnError(
        ErrorCode.Usage,
        `${this.description}: a docker-archive cannot hold an image index`,
        {
          hint: 'choose one platform with --platform',
        },
      );
    }
    this.#manifests.set(descriptor.digest, doc.manifest);
  }

  async addImage(root: Descriptor, names: readonly string[]): Promise<void> {
    const manifest = this.#manifests.get(root.digest);
    if (manifest === undefined) {
      throw new KilnError(ErrorCode.Internal, `${this.description}: manifest ${root.digest} was not written`);
    }
    if (this.#tag !== undefined && this.#items.length > 0) {
      throw new KilnError(ErrorCode.Usage, `${this.description}: one tag cannot be given to several images`);
    }
    const file = (descriptor: Descriptor): string => {
      const name = this.#files.get(descriptor.digest);
      if (name === undefined) {
        throw new KilnError(
          ErrorCode.NotFound,
          `${this.description}: blob ${descriptor.digest} was not written`,
        );
      }
      return name;
    };
    const tags = (this.#tag !== undefined ? [this.#tag] : names).flatMap((name) => repoTag(name) ?? []);
    this.#items.push({
      Config: file(manifest.config),
      RepoTags: tags.length > 0 ? [...new Set(tags)] : null,
      Layers: manifest.layers.map(file),
    });
  }

  async commit(): Promise<void> {
    const repositories: Record<string, Record<string, string>> = {};
    for (const item of this.#items) {
      const top = item.Layers.at(-1);
      if (top === undefined) continue;
      for (const tag of item.RepoTags ?? []) {
        const colon = tag.lastIndexOf(':');
        const repo = tag.slice(0, colon);
        repositories[repo] = {
          ...(repositories[repo] ?? {}),
          [tag.slice(colon + 1)]: top.replace(/\.tar$/, ''),
        };
      }
    }
    await this.#output.addBytes('manifest.json', Buffer.from(JSON.stringify(this.#items)));
    await this.#output.addBytes('repositories', Buffer.from(JSON.stringify(repositories)));
    await this.#output.commit();
  }

  abort(): Promise<void> {
    return this.#output.abort();
  }
}
