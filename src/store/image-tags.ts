/**
 * Naming images in index.json: each tag is one entry whose `org.opencontainers.image.ref.name`
 * annotation holds the full normalised reference (`docker.io/library/busybox:latest`). skopeo's
 * `oci:DIR:NAME` and umoci's `--image DIR:NAME` look entries up by exactly that annotation, so
 * `skopeo inspect oci:<root>/store:docker.io/library/busybox:latest` reads a kiln tag.
 * Images without a tag are kept as entries without the annotation ("dangling").
 */
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { OciAnnotation } from '../oci/media-types.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import { type ImageSelector, parseImageSelector, refName } from './image-selector.js';
import { entryRefName, resolveRoot } from './resolve-image.js';
import type { ImageStore } from './types.js';

/** Parses a tag the user wants to create and returns its full ref name (E_REFERENCE for digests). */
export function tagRefName(ref: string): string {
  const selector = parseImageSelector(ref);
  const reference = selector.kind === 'id-prefix' ? selector.reference : selector;
  const name =
    reference?.kind === 'reference' && reference.reference.digest === undefined
      ? refName(reference)
      : undefined;
  if (name === undefined) {
    throw new KilnError(ErrorCode.Reference, `cannot use ${JSON.stringify(ref)} as a tag: it names a digest`);
  }
  return name;
}

function plainDescriptor(descriptor: Descriptor): Descriptor {
  const { annotations, ...plain } = descriptor;
  const rest = { ...(annotations ?? {}) };
  delete rest[OciAnnotation.RefName];
  return Object.keys(rest).length > 0 ? { ...plain, annotations: rest } : plain;
}

/** Index with `name` pointing at `descriptor` (replacing an older holder of the name and a dangling entry). */
export function withTag(index: ImageIndex, name: string, descriptor: Descriptor): ImageIndex {
  const base = plainDescriptor(descriptor);
  const entry: Descriptor = {
    ...base,
    annotations: { ...(base.annotations ?? {}), [OciAnnotation.RefName]: name },
  };
  const manifests = index.manifests.filter((m) => {
    const existing = entryRefName(m);
    return existing !== name && !(existing === undefined && m.digest === descriptor.digest);
  });
  return { ...index, manifests: [...manifests, entry] };
}

/** Stores `descriptor` (an index or manifest already in the blob store) under `ref`. */
export async function setImageTag(store: ImageStore, ref: string, descriptor: Descriptor): Promise<string> {
  const name = tagRefName(ref);
  if (!(await store.hasBlob(descriptor.digest))) {
    throw new KilnError(ErrorCode.NotFound, `cannot tag ${descriptor.digest}: blob not in the local store`);
  }
  await store.updateIndex((index) => withTag(index, name, descriptor));
  return name;
}

/** Records an untagged image (a no-op when any entry already holds that digest). */
export async function addUntaggedImage(store: ImageStore, descriptor: Descriptor): Promise<void> {
  if (!(await store.hasBlob(descriptor.digest))) {
    throw new KilnError(ErrorCode.NotFound, `cannot add ${descriptor.digest}: blob not in the local store`);
  }
  await store.updateIndex((index) =>
    index.manifests.some((m) => m.digest === descriptor.digest)
      ? index
      : { ...index, manifests: [...index.manifests, plainDescriptor(descriptor)] },
  );
}

/** `kiln tag SRC DST`: DST names the image SRC names. Returns the full DST ref name. */
export async function tagImage(store: ImageStore, source: string, target: string): Promise<string> {
  const name = tagRefName(target);
  const root = await resolveRoot(store, source);
  await store.updateIndex((index) => withTag(index, name, root));
  return name;
}

export interface RemoveImageOptions {
  /** Remove an image named by digest/ID even when several tags refer to it. */
  readonly force?: boolean;
}

export interface RemoveImageResult {
  readonly untagged: readonly string[];
  /** Roots no entry refers to any more (their blobs go at the next `prune`). */
  readonly deleted: readonly Digest[];
}

/**
 * `kiln rmi REF`: a tag is untagged; a digest or ID removes every entry of that image (only with
 * `force` when several tags refer to it). The image is deleted once no entry refers to it.
 */
export async function removeImage(
  store: ImageStore,
  ref: string,
  options: RemoveImageOptions = {},
): Promise<RemoveImageResult> {
  const selector = parseImageSelector(ref);
  const root = await resolveRoot(store, selector);
  let result: RemoveImageResult = { untagged: [], deleted: [] };
  await store.updateIndex((index) => {
    // A tag is removed by name (whatever it points at by now); an image by its digest.
    const tagName = removalTagName(selector, index, root.digest);
    const doomed = (m: Descriptor) =>
      tagName !== undefined ? entryRefName(m) === tagName : m.digest === root.digest;
    const removed = index.manifests.filter(doomed);
    if (removed.length === 0) {
      throw new KilnError(
        ErrorCode.NotFound,
        `image ${JSON.stringify(ref)} is not in the local store's index`,
      );
    }
    const names = removed.flatMap((m) => entryRefName(m) ?? []);
    if (tagName === undefined && names.length > 1 && options.force !== true) {
      throw new KilnError(
        ErrorCode.Usage,
        `image ${root.digest} is referenced by ${names.length} tags: ${names.join(', ')}`,
        { hint: 'remove the tags one by one, or use --force' },
      );
    }
    const manifests = index.manifests.filter((m) => !doomed(m));
    const deleted = [...new Set(removed.map((m) => m.digest))].filter(
      (digest) => !manifests.some((m) => m.digest === digest),
    );
    result = { untagged: names, deleted };
    return { ...index, manifests };
  });
  return result;
}

/** The single tag `rmi` should remove, or undefined when the user named the image itself (digest/ID). */
function removalTagName(selector: ImageSelector, index: ImageIndex, digest: Digest): string | undefined {
  switch (selector.kind) {
    case 'reference':
      return selector.reference.digest !== undefined ? undefined : refName(selector);
    case 'digest':
      return undefined;
    case 'id-prefix': {
      const name = selector.reference ? refName(selector.reference) : undefined;
      return name !== undefined &&
        index.manifests.some((m) => m.digest === digest && entryRefName(m) === name)
        ? name
        : undefined;
    }
    default:
      return assertNever(selector, 'image selector');
  }
}
