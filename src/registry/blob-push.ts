/**
 * Pushing one blob from the content store: skip when the registry has it, else try cross-repository
 * mounts, else upload (monolithic, or chunked above the chunk size), retrying the whole upload.
 */
import { ErrorCode } from '../errors.js';
import type { Descriptor } from '../oci/types.js';
import type { ContentStore } from '../store/types.js';
import {
  cancelUpload,
  mountBlob,
  type UploadOptions,
  uploadChunked,
  uploadMonolithic,
} from './blob-upload.js';
import { headBlob } from './blobs.js';
import type { RegistryClient } from './client.js';
import type { RepositoryRef } from './reference.js';
import { isRetryableError, retryDelay, sleep } from './retry.js';

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
