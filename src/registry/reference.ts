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
