/**
 * Blob downloads: existence checks, and downloads streamed into the content store (verified by the
 * store; retried from scratch when a transfer breaks, so no partial or bad data is ever kept).
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import type { BlobInfo, ContentStore, Lease } from '../store/types.js';
import { repositoryScope } from './auth/scope.js';
import { headerValue, type RegistryClient } from './client.js';
import type { RepositoryRef } from './reference.js';
import { isRetryableError, retryDelay, sleep } from './retry.js';

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

/** `registry/repository@digest` for messages. */
export function blobLabel(repo: RepositoryRef, digest: string): string {
  return `${repo.registry}/${repo.repository}@${digest}`;
}

/** The size of a blob in a repository, or undefined when the registry does not have it there. */
export async function headBlob(
  client: RegistryClient,
  repo: RepositoryRef,
  digest: Digest,
  options: { readonly signal?: AbortSignal; readonly push?: boolean } = {},
): Promise<number | undefined> {
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'HEAD',
    target: blobPath(repo.repository, digest),
    scopes: [repositoryScope(repo.repository, options.push ? ['pull', 'push'] : ['pull'])],
    action: `check blob ${blobLabel(repo, digest)}`,
    expect: [200, 404],
    followRedirects: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  if (response.status === 404) return undefined;
  const size = Number(headerValue(response.headers, 'content-length'));
  return Number.isFinite(size) ? size : 0;
}

/** Opens a blob download (redirects to blob storage followed). The bytes are NOT verified here. */
export async function openBlob(
  client: RegistryClient,
  repo: RepositoryRef,
  digest: Digest,
  options: { readonly signal?: AbortSignal } = {},
): Promise<Readable> {
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'GET',
    target: blobPath(repo.repository, digest),
    scopes: [repositoryScope(repo.repository, ['pull'])],
    action: `fetch blob ${blobLabel(repo, digest)}`,
    expect: [200],
    followRedirects: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return response.body as unknown as Readable;
}

export interface FetchBlobOptions {
  readonly repository: RepositoryRef;
  readonly descriptor: Pick<Descriptor, 'digest' | 'size'>;
  readonly store: ContentStore;
  readonly lease?: Lease;
  readonly signal?: AbortSignal;
}

/**
 * Downloads a blob into the store unless it is there already. The store verifies digest and size and
 * keeps nothing on failure; a broken, truncated or corrupted transfer is retried with a new request.
 */
export async function fetchBlobInto(client: RegistryClient, options: FetchBlobOptions): Promise<BlobInfo> {
  const { digest, size } = options.descriptor;
  const present = await options.store.statBlob(digest);
  if (present !== undefined && present.size === size) return present;
  const policy = client.retryPolicy;
  for (let attempt = 0; ; attempt++) {
    try {
      const stream = await openBlob(
        client,
        options.repository,
        digest,
        options.signal ? { signal: options.signal } : {},
      );
      return await options.store.writeBlob(stream, {
        expected: { digest, size },
        ...(options.lease ? { lease: options.lease } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (attempt >= policy.retries || !isRetryableError(error) || options.signal?.aborted) throw error;
      const delay = retryDelay(attempt, policy, undefined);
      client.options.log?.(`fetch blob ${digest}: ${(error as Error).message}; retrying in ${delay} ms`);
      await sleep(delay, options.signal);
    }
  }
}
