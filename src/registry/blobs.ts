/**
 * Blob transfer: existence checks, downloads streamed into the content store (verified; retried from
 * scratch when a transfer breaks), cross-repository mounts, monolithic and chunked uploads.
 */
import { Readable } from 'node:stream';
import { ErrorCode } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import type { BlobInfo, ContentStore, Lease } from '../store/types.js';
import { repositoryScope } from './auth/scope.js';
import { headerValue, type RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import type { RepositoryRef } from './reference.js';
import { isRetryableError, retryDelay, sleep } from './retry.js';

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

function where(repo: RepositoryRef, digest: string): string {
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
    action: `check blob ${where(repo, digest)}`,
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
    action: `fetch blob ${where(repo, digest)}`,
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

/** Result of a mount attempt: mounted, or an upload session the registry opened instead. */
export type MountResult =
  | { readonly kind: 'mounted' }
  | { readonly kind: 'upload'; readonly location: string }
  | { readonly kind: 'unsupported' };

function uploadLocation(
  client: RegistryClient,
  repo: RepositoryRef,
  headers: Record<string, unknown>,
): string {
  const location = headerValue(headers as Record<string, string | string[] | undefined>, 'location');
  if (location === undefined) {
    throw new RegistryError(
      ErrorCode.Registry,
      `upload to ${repo.registry}/${repo.repository}: no Location header`,
    );
  }
  return new URL(location, client.baseUrl(repo.registry)).href;
}

/** `POST …/blobs/uploads/?mount=<digest>&from=<repo>` (cross-repository mount on the same registry). */
export async function mountBlob(
  client: RegistryClient,
  repo: RepositoryRef,
  digest: Digest,
  options: { readonly from: string; readonly signal?: AbortSignal },
): Promise<MountResult> {
  const query = new URLSearchParams({ mount: digest, from: options.from });
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'POST',
    target: `/v2/${repo.repository}/blobs/uploads/?${query}`,
    headers: { 'content-length': '0' },
    scopes: [repositoryScope(repo.repository, ['pull', 'push']), repositoryScope(options.from, ['pull'])],
    action: `mount blob ${digest} from ${options.from} into ${repo.registry}/${repo.repository}`,
    expect: [201, 202, 404, 405],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  if (response.status === 201) return { kind: 'mounted' };
  if (response.status === 202)
    return { kind: 'upload', location: uploadLocation(client, repo, response.headers) };
  return { kind: 'unsupported' };
}

/** Opens an upload session; returns its absolute location URL. */
export async function startUpload(
  client: RegistryClient,
  repo: RepositoryRef,
  options: { readonly signal?: AbortSignal } = {},
): Promise<string> {
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'POST',
    target: `/v2/${repo.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    action: `start upload to ${repo.registry}/${repo.repository}`,
    expect: [202],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  return uploadLocation(client, repo, response.headers);
}

/** Best-effort `DELETE` of an upload session that will not be used. */
export async function cancelUpload(
  client: RegistryClient,
  repo: RepositoryRef,
  location: string,
): Promise<void> {
  try {
    const response = await client.send({
      registry: repo.registry,
      repository: repo.repository,
      method: 'DELETE',
      target: location,
      scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
      action: `cancel upload to ${repo.registry}/${repo.repository}`,
      expect: [204, 200, 404],
      retry: false,
    });
    await response.body.dump();
  } catch {
    // sessions expire on their own
  }
}

function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

function checkCommitted(repo: RepositoryRef, digest: Digest, headers: Record<string, unknown>): void {
  const answered = headerValue(
    headers as Record<string, string | string[] | undefined>,
    'docker-content-digest',
  );
  if (answered !== undefined && answered !== digest) {
    throw new RegistryError(
      ErrorCode.DigestMismatch,
      `upload of ${where(repo, digest)}: registry stored ${answered}`,
    );
  }
}

export interface UploadOptions {
  readonly repository: RepositoryRef;
  readonly descriptor: Pick<Descriptor, 'digest' | 'size'>;
  /** Opens the blob's bytes (called again on retries). */
  readonly open: () => Promise<Readable>;
  /** Upload location from a mount attempt that fell back to an upload. */
  readonly location?: string;
  readonly signal?: AbortSignal;
}

/** Monolithic upload: one PUT of the whole blob to the session location with `?digest=`. */
export async function uploadMonolithic(client: RegistryClient, options: UploadOptions): Promise<void> {
  const { repository: repo, descriptor } = options;
  const location =
    options.location ?? (await startUpload(client, repo, options.signal ? { signal: options.signal } : {}));
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'PUT',
    target: withDigest(location, descriptor.digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(descriptor.size) },
    body: options.open,
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    action: `upload blob ${where(repo, descriptor.digest)}`,
    expect: [201],
    retry: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  checkCommitted(repo, descriptor.digest, response.headers);
}

/** Reads exactly `size` bytes (or up to the end) from an async iterator of chunks, keeping the remainder. */
async function* chunksOf(source: Readable, chunkSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let data = chunk;
    while (pendingSize + data.length >= chunkSize) {
      const take = chunkSize - pendingSize;
      pending.push(data.subarray(0, take));
      yield Buffer.concat(pending);
      data = data.subarray(take);
      pending = [];
      pendingSize = 0;
    }
    if (data.length > 0) {
      pending.push(data);
      pendingSize += data.length;
    }
  }
  if (pendingSize > 0) yield Buffer.concat(pending);
}

/**
 * Chunked upload: PATCH with `Content-Range: start-end` per chunk (at most one chunk in memory), then
 * a PUT with `?digest=` and no body. Any failure restarts nothing here; callers retry the whole blob.
 */
export async function uploadChunked(
  client: RegistryClient,
  options: UploadOptions & { readonly chunkSize: number },
): Promise<void> {
  const { repository: repo, descriptor } = options;
  const signal = options.signal ? { signal: options.signal } : {};
  let location = options.location ?? (await startUpload(client, repo, signal));
  let offset = 0;
  const source = await options.open();
  try {
    for await (const chunk of chunksOf(source, options.chunkSize)) {
      const end = offset + chunk.length - 1;
      const response = await client.send({
        registry: repo.registry,
        repository: repo.repository,
        method: 'PATCH',
        target: location,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(chunk.length),
          'content-range': `${offset}-${end}`,
        },
        body: async () => chunk,
        scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
        action: `upload chunk ${offset}-${end} of ${where(repo, descriptor.digest)}`,
        expect: [202],
        retry: false,
        ...signal,
      });
      await response.body.dump();
      location = new URL(headerValue(response.headers, 'location') ?? location, location).href;
      offset = end + 1;
    }
  } finally {
    source.destroy();
  }
  if (offset !== descriptor.size) {
    throw new RegistryError(
      ErrorCode.DigestMismatch,
      `upload of ${where(repo, descriptor.digest)}: read ${offset} bytes, descriptor says ${descriptor.size}`,
    );
  }
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'PUT',
    target: withDigest(location, descriptor.digest),
    headers: { 'content-length': '0' },
    body: async () => Buffer.alloc(0),
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    action: `commit upload of ${where(repo, descriptor.digest)}`,
    expect: [201],
    retry: false,
    ...signal,
  });
  await response.body.dump();
  checkCommitted(repo, descriptor.digest, response.headers);
}

export interface PushBlobOptions {
  readonly repository: RepositoryRef;
  readonly descriptor: Pick<Descriptor, 'digest' | 'size'>;
  readonly store: ContentStore;
  /** Other repositories on the same registry that may hold the blob (tried as mount sources, in order). */
  readonly mountFrom?: readonly string[];
  /** Blobs larger than this go up in PATCH chunks of this size (default 32 MiB). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

/** How a blob reached the registry. */
export type PushBlobOutcome = 'exists' | 'mounted' | 'uploaded';

export const DEFAULT_CHUNK_SIZE = 32 * 1024 * 1024;

/** Pushes one blob from the store: skip when present, else try mounts, else upload (retried whole). */
export async function pushBlob(client: RegistryClient, options: PushBlobOptions): Promise<PushBlobOutcome> {
  const { repository: repo, descriptor } = options;
  const signal = options.signal ? { signal: options.signal } : {};
  if ((await headBlob(client, repo, descriptor.digest, { ...signal, push: true })) !== undefined)
    return 'exists';
  let location: string | undefined;
  for (const from of options.mountFrom ?? []) {
    if (from === repo.repository) continue;
    const result = await mountBlob(client, repo, descriptor.digest, { from, ...signal });
    if (result.kind === 'mounted') return 'mounted';
    if (result.kind === 'upload') {
      // the registry opened an upload session instead; keep only the latest one
      if (location !== undefined) await cancelUpload(client, repo, location);
      location = result.location;
    }
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const policy = client.retryPolicy;
  for (let attempt = 0; ; attempt++) {
    const upload: UploadOptions = {
      repository: repo,
      descriptor,
      open: () => options.store.openBlob(descriptor.digest),
      ...(location ? { location } : {}),
      ...signal,
    };
    try {
      if (descriptor.size > chunkSize) await uploadChunked(client, { ...upload, chunkSize });
      else await uploadMonolithic(client, upload);
      return 'uploaded';
    } catch (error) {
      const status = (error as { status?: number }).status;
      const transient =
        isRetryableError(error) || (status !== undefined && (status >= 500 || status === 429));
      const unreachable = (error as { code?: string }).code === ErrorCode.RegistryUnreachable;
      if (attempt >= policy.retries || !(transient || unreachable) || options.signal?.aborted) throw error;
      location = undefined; // a failed session is not reused
      const delay = retryDelay(attempt, policy, undefined);
      client.options.log?.(
        `upload ${descriptor.digest}: ${(error as Error).message}; retrying in ${delay} ms`,
      );
      await sleep(delay, options.signal);
    }
  }
}

/** Wraps bytes as a stream (for callers with small in-memory blobs). */
export function bytesStream(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes)]);
}
