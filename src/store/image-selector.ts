/**
 * How a user names a stored image: a reference (`busybox`, `ghcr.io/o/r:1`, `r@sha256:…`), a bare
 * digest (`sha256:…`), or a unique prefix of an image ID (the root digest's hex, at least 4 chars).
 */
import { ErrorCode, KilnError } from '../errors.js';
import { type Digest, isDigest } from '../oci/digest.js';
import { type ImageReference, parseReference, referenceName, referenceString } from '../oci/reference.js';

export interface ReferenceSelector {
  readonly kind: 'reference';
  readonly reference: ImageReference;
  readonly text: string;
}

export type ImageSelector =
  | ReferenceSelector
  | { readonly kind: 'digest'; readonly digest: Digest; readonly text: string }
  /** Hex that may be a short image ID or a repository name; a matching tag wins, like docker. */
  | {
      readonly kind: 'id-prefix';
      readonly prefix: string;
      readonly reference?: ReferenceSelector;
      readonly text: string;
    };

const ID_PREFIX_RE = /^[a-f0-9]{4,64}$/;
const DIGEST_LIKE_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/** Parses what the user typed; E_REFERENCE / E_INVALID_DIGEST when it is none of the accepted forms. */
export function parseImageSelector(text: string): ImageSelector {
  const trimmed = text.trim();
  if (trimmed === '') throw new KilnError(ErrorCode.Reference, 'empty image reference');
  if (DIGEST_LIKE_RE.test(trimmed)) {
    if (!isDigest(trimmed))
      throw new KilnError(ErrorCode.InvalidDigest, `invalid digest ${JSON.stringify(trimmed)}`);
    return { kind: 'digest', digest: trimmed, text: trimmed };
  }
  if (ID_PREFIX_RE.test(trimmed)) {
    const reference = trimmed.length < 64 ? referenceSelector(trimmed) : undefined;
    return { kind: 'id-prefix', prefix: trimmed, ...(reference ? { reference } : {}), text: trimmed };
  }
  return referenceSelector(trimmed);
}

function referenceSelector(text: string): ReferenceSelector {
  return { kind: 'reference', reference: parseReference(text), text };
}

/**
 * The ref name a selector stands for in index.json (`docker.io/library/busybox:latest`), or undefined
 * for a digest-only reference (`name@sha256:…`), which names content rather than a tag.
 */
export function refName(selector: ReferenceSelector): string | undefined {
  const { reference } = selector;
  if (reference.tag === undefined) return undefined;
  return `${referenceName(reference)}:${reference.tag}`;
}

/** The full reference string for display. */
export function selectorString(selector: ReferenceSelector): string {
  return referenceString(selector.reference);
}
