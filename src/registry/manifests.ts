/**
 * Manifest and index transfer: GET/HEAD with the OCI and Docker Accept list (4 MiB cap, digest
 * verified when fetched by digest), and PUT by tag or digest.
 */

import { createHash } from 'node:crypto';
import { ErrorCode } from '../errors.js';
import { type Digest, isDigest, parseDigest, sha256Digest } from '../oci/digest.js';
import { DockerMediaType, MANIFEST_ACCEPT, OciMediaType } from '../oci/media-types.js';
import { repositoryScope } from './auth/scope.js';
import { headerValue, type RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { formatImageRef, type ImageRef, manifestReference, type RepositoryRef } from './reference.js';

/** Manifests larger than this are refused (as the distribution spec suggests). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** A manifest or index as the registry sent it. */
export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
}

/** What a HEAD on a manifest tells. */
export interface ManifestHead {
  readonly digest: Digest | undefined;
  readonly mediaType: string | undefined;
  readonly size: number | undefined;
}

/** `/v2/<name>/manifests/<reference>` */
function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${encodeURIComponent(reference)}`;
}

function digestOf(bytes: Buffer, algorithm: 'sha256' | 'sha512'): Digest {
  return algorithm === 'sha256'
    ? sha256Digest(bytes)
    : (`sha512:${createHash('sha512').update(bytes).digest('hex')}` as Digest);
}

/** The media type of a manifest document: its `mediaType` field, else the Content-Type, else inferred. */
export function manifestMediaType(bytes: Buffer, contentType: string | undefined): string {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new RegistryError(ErrorCode.InvalidDocument, 'manifest is not valid JSON', { cause });
  }
  if (typeof doc !== 'object' || doc === null) {
    throw new RegistryError(ErrorCode.InvalidDocument, 'manifest is not a JSON object');
  }
  const field = (doc as { mediaType?: unknown }).mediaType;
  if (typeof field === 'string' && field !== '') return field;
  const header = contentType?.split(';')[0]?.trim();
  if (header && header !== 'application/json' && header !== 'application/octet-stream') return header;
  if (Array.isArray((doc as { manifests?: unknown }).manifests)) return OciMediaType.ImageIndex;
  if (typeof (doc as { config?: unknown }).config === 'object') return OciMediaType.ImageManifest;
  throw new RegistryError(ErrorCode.InvalidDocument, 'cannot tell the manifest media type');
}

async function readCapped(body: AsyncIterable<Buffer>, max: number, action: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      throw new RegistryError(ErrorCode.TooLarge, `${action}: manifest larger than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Fetches a manifest or index by tag or digest. */
export async function getManifest(
  client: RegistryClient,
  ref: ImageRef,
  options: { readonly signal?: AbortSignal; readonly accept?: readonly string[] } = {},
): Promise<FetchedManifest> {
  const reference = manifestReference(ref);
  const action = `fetch manifest ${formatImageRef(ref)}`;
  const response = await client.send({
    registry: ref.registry,
    repository: ref.repository,
    method: 'GET',
    target: manifestPath(ref.repository, reference),
    headers: { accept: (options.accept ?? MANIFEST_ACCEPT).join(', ') },
    scopes: [repositoryScope(ref.repository, ['pull'])],
    action,
    expect: [200],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > MAX_MANIFEST_SIZE) {
    await response.body.dump();
    throw new RegistryError(
      ErrorCode.TooLarge,
      `${action}: manifest of ${declared} bytes exceeds ${MAX_MANIFEST_SIZE}`,
    );
  }
  const bytes = await readCapped(response.body as AsyncIterable<Buffer>, MAX_MANIFEST_SIZE, action);
  const mediaType = manifestMediaType(bytes, headerValue(response.headers, 'content-type'));
  if (mediaType === DockerMediaType.ManifestV1 || mediaType === DockerMediaType.ManifestV1Signed) {
    throw new RegistryError(
      ErrorCode.InvalidDocument,
      `${action}: Docker schema 1 manifests are not supported`,
    );
  }
  if (ref.digest !== undefined) {
    const actual = digestOf(bytes, parseDigest(ref.digest).algorithm);
    if (actual !== ref.digest) {
      throw new RegistryError(
        ErrorCode.DigestMismatch,
        `${action}: registry sent content with digest ${actual}`,
      );
    }
    return { bytes, digest: ref.digest, mediaType, size: bytes.length };
  }
  const digest = sha256Digest(bytes);
  const headerDigest = headerValue(response.headers, 'docker-content-digest');
  if (headerDigest?.startsWith('sha256:') && headerDigest !== digest) {
    throw new RegistryError(
      ErrorCode.DigestMismatch,
      `${action}: content digest ${digest} differs from Docker-Content-Digest ${headerDigest}`,
    );
  }
  return { bytes, digest, mediaType, size: bytes.length };
}

/** HEAD on a manifest: resolves a tag to a digest without downloading; undefined when it does not exist. */
export async function headManifest(
  client: RegistryClient,
  ref: ImageRef,
  options: { readonly signal?: AbortSignal } = {},
): Promise<ManifestHead | undefined> {
  const response = await client.send({
    registry: ref.registry,
    repository: ref.repository,
    method: 'HEAD',
    target: manifestPath(ref.repository, manifestReference(ref)),
    headers: { accept: MANIFEST_ACCEPT.join(', ') },
    scopes: [repositoryScope(ref.repository, ['pull'])],
    action: `check manifest ${formatImageRef(ref)}`,
    expect: [200, 404],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  if (response.status === 404) return undefined;
  const digest = headerValue(response.headers, 'docker-content-digest');
  const size = Number(headerValue(response.headers, 'content-length'));
  return {
    digest: digest !== undefined && isDigest(digest) ? digest : undefined,
    mediaType: headerValue(response.headers, 'content-type')?.split(';')[0]?.trim(),
    size: Number.isFinite(size) ? size : undefined,
  };
}

export interface PutManifestOptions {
  readonly repository: RepositoryRef;
  /** A tag, or the manifest's digest. */
  readonly reference: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly signal?: AbortSignal;
}

/** Uploads a manifest or index; returns its digest (checked against the registry's answer). */
export async function putManifest(client: RegistryClient, options: PutManifestOptions): Promise<Digest> {
  const { repository: repo, reference } = options;
  const digest = sha256Digest(options.bytes);
  if (isDigest(reference) && reference !== digest) {
    throw new RegistryError(
      ErrorCode.DigestMismatch,
      `manifest bytes have digest ${digest}, not ${reference}`,
    );
  }
  const action = `push manifest ${repo.registry}/${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  const bytes = Buffer.from(options.bytes);
  const response = await client.send({
    registry: repo.registry,
    repository: repo.repository,
    method: 'PUT',
    target: manifestPath(repo.repository, reference),
    headers: { 'content-type': options.mediaType, 'content-length': String(bytes.length) },
    body: async () => bytes,
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    action,
    expect: [201, 200],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body.dump();
  const answered = headerValue(response.headers, 'docker-content-digest');
  if (answered !== undefined && answered !== digest && answered.startsWith('sha256:')) {
    throw new RegistryError(
      ErrorCode.DigestMismatch,
      `${action}: registry stored digest ${answered}, expected ${digest}`,
    );
  }
  return digest;
}
