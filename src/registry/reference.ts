/**
 * The reference shapes the registry client works with (a subset of what `parseReference` yields).
 */
import type { Digest } from '../oci/digest.js';

/** A repository on a registry: `registry` is `host[:port]` (`docker.io` for Docker Hub). */
export interface RepositoryRef {
  readonly registry: string;
  /** Full repository path, e.g. `library/alpine`. */
  readonly repository: string;
}

/** An image in a repository, by tag and/or digest (the digest wins when both are given). */
export interface ImageRef extends RepositoryRef {
  readonly tag?: string;
  readonly digest?: Digest;
}

/** `registry/repository[:tag][@digest]` for messages. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The tag or digest used in `/v2/<name>/manifests/<reference>`; the digest wins, `latest` by default. */
export function manifestReference(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The registry client's view of a parsed reference (`oci/reference.ts`'s `ImageReference`). */
export function imageRefFrom(ref: {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}): ImageRef {
  return {
    registry: ref.domain,
    repository: ref.path,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
  };
}
