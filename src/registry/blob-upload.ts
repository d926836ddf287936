/**
 * Blob uploads (distribution spec "pushing blobs"): upload sessions, cross-repository mounts,
 * monolithic PUT and chunked PATCH uploads with `Content-Range`.
 */
import type { Readable } from 'node:stream';
import { ErrorCode } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import { repositoryScope } from './auth/scope.js';
import { blobLabel } from './blobs.js';
import { headerValue, type RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import type { RepositoryRef } from './reference.js';

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
      `upload of ${blobLabel(repo, digest)}: registry stored ${answered}`,
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
    action: `upload blob ${blobLabel(repo, descriptor.digest)}`,
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
        action: `upload chunk ${offset}-${end} of ${blobLabel(repo, descriptor.digest)}`,
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
      `upload of ${blobLabel(repo, descriptor.digest)}: read ${offset} bytes, descriptor says ${descriptor.size}`,
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
    action: `commit upload of ${blobLabel(repo, descriptor.digest)}`,
    expect: [201],
    retry: false,
    ...signal,
  });
  await response.body.dump();
  checkCommitted(repo, descriptor.digest, response.headers);
}
