/**
 * A registry repository as an `ImageSource` (`docker://REF`): the reference's manifest or index,
 * blobs streamed from the registry through a digest-and-size check, manifests fetched by digest
 * (verified by the registry client). Mid-transfer failures surface as stream errors; destinations
 * that can reopen (`putBlobFrom`) retry with a fresh request.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, KilnError } from '../errors.js';
import { verifyingStream } from '../oci/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.js';
import { type ImageReference, referenceString } from '../oci/reference.js';
import type { Descriptor } from '../oci/types.js';
import { headBlob, openBlob } from '../registry/blobs.js';
import type { RegistryClient } from '../registry/client.js';
import { type FetchedManifest, getManifest, headManifest, MAX_MANIFEST_SIZE } from '../registry/manifests.js';
import { imageRefFrom, type RepositoryRef } from '../registry/reference.js';
import type { ImageSource, RegistryLocation, SourceImage } from './transport.js';

/** Config blobs (and other small blobs read whole) larger than this are refused. */
export const MAX_SMALL_BLOB_SIZE = 64 * 1024 * 1024;

/** Options of a `RegistrySource`. */
export interface RegistrySourceOptions {
  /** The client to use; the source closes it in `close()`. */
  readonly client: RegistryClient;
  readonly reference: ImageReference;
  readonly signal?: AbortSignal;
}

function isDocument(descriptor: Descriptor): boolean {
  return isIndexMediaType(descriptor.mediaType) || isManifestMediaType(descriptor.mediaType);
}

/** One image of a registry repository, named by its reference. */
export class RegistrySource implements ImageSource {
  readonly description: string;
  readonly registryLocation: RegistryLocation;
  readonly #client: RegistryClient;
  readonly #reference: ImageReference;
  readonly #signal: { readonly signal?: AbortSignal };
  /** Manifests already fetched, by digest (the root is read twice: for `images()` and by the copy). */
  readonly #documents = new Map<string, FetchedManifest>();
  #closed = false;

  constructor(options: RegistrySourceOptions) {
    this.#client = options.client;
    this.#reference = options.reference;
    this.#signal = options.signal !== undefined ? { signal: options.signal } : {};
    this.registryLocation = { registry: options.reference.domain, repository: options.reference.path };
    this.description = `docker://${referenceString(options.reference)}`;
  }

  get #repo(): RepositoryRef {
    return this.registryLocation;
  }

  async images(): Promise<readonly SourceImage[]> {
    const fetched = await getManifest(this.#client, imageRefFrom(this.#reference), this.#signal);
    this.#documents.set(fetched.digest, fetched);
    const { domain, path, tag } = this.#reference;
    return [
      {
        root: { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size },
        names: tag !== undefined ? [referenceString({ domain, path, tag })] : [],
      },
    ];
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    if (this.#documents.has(descriptor.digest)) return true;
    if (isDocument(descriptor)) {
      const head = await headManifest(
        this.#client,
        { ...this.#repo, digest: descriptor.digest },
        this.#signal,
      );
      return head !== undefined;
    }
    const size = await headBlob(this.#client, this.#repo, descriptor.digest, this.#signal);
    return size !== undefined && (size === 0 || size === descriptor.size);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const body = await openBlob(this.#client, this.#repo, descriptor.digest, this.#signal);
    const check = verifyingStream({ digest: descriptor.digest, size: descriptor.size });
    body.on('error', (error) => check.destroy(error));
    check.on('close', () => {
      if (!body.destroyed) body.destroy();
    });
    return body.pipe(check);
  }

  async readBlob(descriptor: Descriptor): Promise<Buffer> {
    const cached = this.#documents.get(descriptor.digest);
    if (cached !== undefined || isDocument(descriptor)) {
      const fetched =
        cached ??
        (await getManifest(this.#client, { ...this.#repo, digest: descriptor.digest }, this.#signal));
      if (fetched.size !== descriptor.size) {
        throw new KilnError(
          ErrorCode.DigestMismatch,
          `${this.description}: manifest ${descriptor.digest} has ${fetched.size} bytes, its descriptor says ${descriptor.size}`,
        );
      }
      this.#documents.set(fetched.digest, fetched);
      return fetched.bytes;
    }
    const limit = Math.max(MAX_SMALL_BLOB_SIZE, MAX_MANIFEST_SIZE);
    if (descriptor.size > limit) {
      throw new KilnError(
        ErrorCode.TooLarge,
        `${this.description}: blob ${descriptor.digest} of ${descriptor.size} bytes is too large to read whole`,
      );
    }
    const chunks: Buffer[] = [];
    await pipeline(await this.openBlob(descriptor), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
    return Buffer.concat(chunks);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#documents.clear();
    await this.#client.close();
  }
}
