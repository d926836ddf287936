/**
 * A registry repository as an `ImageDestination` (`docker://REF`). Blobs go up as they come (HEAD
 * first, cross-repository mount when the source is another repository of the same registry, else a
 * monolithic or chunked upload, retried from a reopened source); manifests and indexes are held until
 * `commit`, then pushed children first by digest and the root by the destination's tag (or digest),
 * so nothing is tagged unless the whole image arrived.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import { isDigest } from '../oci/digest.js';
import { type ImageReference, referenceString } from '../oci/reference.js';
import type { Descriptor } from '../oci/types.js';
import { pushBlob } from '../registry/blob-push.js';
import { headBlob } from '../registry/blobs.js';
import type { RegistryClient } from '../registry/client.js';
import { manifestMediaType, putManifest } from '../registry/manifests.js';
import type { RepositoryRef } from '../registry/reference.js';
import type { BlobPutOutcome, BlobSupply, DestinationCapabilities, ImageDestination } from './transport.js';

/** Options of a `RegistryDestination`. */
export interface RegistryDestinationOptions {
  /** The client to use; the destination closes it after `commit` or `abort` unless `borrowedClient`. */
  readonly client: RegistryClient;
  /** The caller closes the client (default false). */
  readonly borrowedClient?: boolean;
  /** Other repositories of the same registry to try as cross-repository mount sources. */
  readonly mountFrom?: readonly string[];
  /** Where to push: the tag names the image; a digest must equal the copied root's digest. */
  readonly reference: ImageReference;
  /** Blobs above this size are uploaded in chunks of this size (default: the registry client's default). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

interface PendingDocument {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
}

/** What `commit` pushed. */
export interface PushedImage {
  readonly root: Descriptor;
  /** The tag or digest the root was put under. */
  readonly reference: string;
}

/** A registry repository written through the transport verbs. */
export class RegistryDestination implements ImageDestination {
  readonly description: string;
  readonly capabilities: DestinationCapabilities = { indexes: true, format: 'any' };
  readonly #client: RegistryClient;
  readonly #reference: ImageReference;
  readonly #repo: RepositoryRef;
  readonly #chunkSize: number | undefined;
  readonly #borrowedClient: boolean;
  readonly #mountFrom: readonly string[];
  readonly #signal: { readonly signal?: AbortSignal };
  readonly #documents = new Map<string, PendingDocument>();
  #root: Descriptor | undefined;
  #pushed: PushedImage | undefined;
  #closed = false;

  constructor(options: RegistryDestinationOptions) {
    this.#client = options.client;
    this.#reference = options.reference;
    this.#repo = { registry: options.reference.domain, repository: options.reference.path };
    this.#chunkSize = options.chunkSize;
    this.#borrowedClient = options.borrowedClient === true;
    this.#mountFrom = options.mountFrom ?? [];
    this.#signal = options.signal !== undefined ? { signal: options.signal } : {};
    this.description = `docker://${referenceString(options.reference)}`;
  }

  /** What `commit` pushed (undefined before). */
  get pushed(): PushedImage | undefined {
    return this.#pushed;
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    const size = await headBlob(this.#client, this.#repo, descriptor.digest, { ...this.#signal, push: true });
    return size !== undefined && (size === 0 || size === descriptor.size);
  }

  /** One attempt only: a plain stream cannot be read twice. */
  async putBlob(descriptor: Descriptor, content: Readable): Promise<void> {
    let opened = false;
    await pushBlob(this.#client, {
      repository: this.#repo,
      descriptor,
      open: async () => {
        if (opened) {
          throw new KilnError(ErrorCode.Internal, `the stream of ${descriptor.digest} was already read`);
        }
        opened = true;
        return content;
      },
      skipExistsCheck: true,
      retry: false,
      ...this.#common(),
    });
  }

  async putBlobFrom(descriptor: Descriptor, supply: BlobSupply): Promise<BlobPutOutcome> {
    const from = supply.location;
    const mountable =
      from !== undefined &&
      from.registry === this.#repo.registry &&
      from.repository !== this.#repo.repository;
    const mountFrom = [...(mountable ? [from.repository] : []), ...this.#mountFrom];
    const outcome = await pushBlob(this.#client, {
      repository: this.#repo,
      descriptor,
      open: () => supply.open(),
      skipExistsCheck: true,
      ...(mountFrom.length > 0 ? { mountFrom } : {}),
      ...this.#common(),
    });
    return outcome === 'mounted' ? 'mounted' : 'copied';
  }

  #common(): { chunkSize?: number; signal?: AbortSignal } {
    return { ...(this.#chunkSize !== undefined ? { chunkSize: this.#chunkSize } : {}), ...this.#signal };
  }

  async putManifest(descriptor: Descriptor, bytes: Buffer): Promise<void> {
    if (!this.#documents.has(descriptor.digest))
      this.#documents.set(descriptor.digest, { descriptor, bytes });
  }

  async addImage(root: Descriptor, _names: readonly string[]): Promise<void> {
    if (this.#root !== undefined && this.#root.digest !== root.digest) {
      throw new KilnError(
        ErrorCode.Usage,
        `${this.description}: a registry reference names one image; the source has several`,
        { hint: 'pick one image of the source (e.g. oci-archive:FILE:NAME)' },
      );
    }
    const digest = this.#reference.digest;
    if (digest !== undefined && digest !== root.digest) {
      throw new KilnError(
        ErrorCode.DigestMismatch,
        `${this.description}: the copied image has digest ${root.digest}`,
        { hint: 'push by tag, or drop options that change the image (--platform, --format, --compression)' },
      );
    }
    if (!this.#documents.has(root.digest)) {
      throw new KilnError(ErrorCode.Internal, `${this.description}: root ${root.digest} was not put`);
    }
    this.#root = root;
  }

  async commit(): Promise<void> {
    try {
      const root = this.#root;
      if (root === undefined) throw new KilnError(ErrorCode.Usage, `${this.description}: no image to push`);
      // insertion order is bottom-up (copyImage puts children before their index)
      for (const document of this.#documents.values()) {
        if (document.descriptor.digest === root.digest) continue;
        await this.#put(document, document.descriptor.digest);
      }
      const rootDocument = this.#documents.get(root.digest)!;
      const reference = this.#reference.digest ?? this.#reference.tag ?? root.digest;
      await this.#put(rootDocument, reference);
      this.#pushed = { root, reference };
    } finally {
      await this.#close();
    }
  }

  async #put(document: PendingDocument, reference: string): Promise<void> {
    const { descriptor, bytes } = document;
    const mediaType =
      descriptor.mediaType !== '' ? descriptor.mediaType : manifestMediaType(bytes, undefined);
    const digest = await putManifest(this.#client, {
      repository: this.#repo,
      reference,
      bytes,
      mediaType,
      ...this.#signal,
    });
    if (digest !== descriptor.digest || (isDigest(reference) && reference !== digest)) {
      throw new KilnError(
        ErrorCode.DigestMismatch,
        `${this.description}: manifest bytes hash to ${digest}, not ${descriptor.digest}`,
      );
    }
  }

  async abort(): Promise<void> {
    this.#documents.clear();
    await this.#close();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#borrowedClient) await this.#client.close();
  }
}
