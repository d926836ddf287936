/**
 * From what the user typed to an image: index.json entry (or bare digest) → index → platform manifest → config.
 */
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { OciAnnotation } from '../oci/media-types.js';
import {
  defaultPlatform,
  formatPlatform,
  isAttestationManifest,
  normalizePlatform,
  type PlatformSpec,
  selectManifest,
} from '../oci/platform.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../oci/types.js';
import { descriptorFor, readImageConfig, readImageDocument } from './image-documents.js';
import { type ImageSelector, parseImageSelector, refName } from './image-selector.js';
import type { ImageStore } from './types.js';

/** A stored image, resolved down to one platform's manifest and config. */
export interface ResolvedImage {
  /** What index.json (or the given digest) points at: an index or a manifest. */
  readonly root: Descriptor;
  /** Every ref name in index.json pointing at `root.digest`. */
  readonly tags: readonly string[];
  /** Present when the root is an index. */
  readonly index?: ImageIndex;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

export interface ResolveImageOptions {
  /** Platform to pick from an index (normalised; compatible variants accepted); default the host's. */
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
}

/** The ref name annotation of an index.json entry. */
export function entryRefName(entry: Descriptor): string | undefined {
  return entry.annotations?.[OciAnnotation.RefName];
}

/** Resolves `ref` to its root descriptor (no platform selection). E_NOT_FOUND when absent. */
export async function resolveRoot(store: ImageStore, ref: string | ImageSelector): Promise<Descriptor> {
  const selector = typeof ref === 'string' ? parseImageSelector(ref) : ref;
  const index = await store.readIndex();
  const found = await findRoot(store, index, selector);
  if (found === undefined) {
    throw new KilnError(
      ErrorCode.NotFound,
      `image ${JSON.stringify(selector.text)} not found in the local store`,
      {
        hint: 'list stored images with `kiln images`',
      },
    );
  }
  return found;
}

async function findRoot(
  store: ImageStore,
  index: ImageIndex,
  selector: ImageSelector,
): Promise<Descriptor | undefined> {
  switch (selector.kind) {
    case 'reference': {
      // A digest wins over a tag (`name:tag@digest`), as in docker.
      if (selector.reference.digest !== undefined) return byDigest(store, index, selector.reference.digest);
      const name = refName(selector);
      return index.manifests.find((m) => entryRefName(m) === name);
    }
    case 'digest':
      return byDigest(store, index, selector.digest);
    case 'id-prefix': {
      const tagged = selector.reference ? await findRoot(store, index, selector.reference) : undefined;
      if (tagged !== undefined) return tagged;
      const hex = (digest: Digest) => digest.slice(digest.indexOf(':') + 1);
      const hits = new Map<Digest, Descriptor>();
      for (const entry of index.manifests) {
        if (hex(entry.digest).startsWith(selector.prefix)) hits.set(entry.digest, entry);
      }
      if (hits.size === 0) {
        for (const entry of await byConfig(store, index, (d) => hex(d).startsWith(selector.prefix)))
          hits.set(entry.digest, entry);
      }
      if (hits.size > 1) {
        throw new KilnError(
          ErrorCode.Reference,
          `image ID prefix ${selector.prefix} is ambiguous (${hits.size} images)`,
          {
            hint: 'give more characters of the ID or the full digest',
          },
        );
      }
      return [...hits.values()][0];
    }
    default:
      return assertNever(selector, 'image selector');
  }
}

async function byDigest(
  store: ImageStore,
  index: ImageIndex,
  digest: Digest,
): Promise<Descriptor | undefined> {
  const entry = index.manifests.find((m) => m.digest === digest);
  if (entry !== undefined) return stripRefName(entry);
  const viaConfig = (await byConfig(store, index, (d) => d === digest))[0];
  if (viaConfig !== undefined) return viaConfig;
  const info = await store.statBlob(digest);
  if (info === undefined) return undefined;
  return descriptorFor(digest, info.size, await readImageDocument(store, digest));
}

/**
 * Stored images whose config digest `matches` (the config digest is the image ID `kiln build -q` and
 * `--iidfile` print, as docker's do), one per config digest: one config stored under several
 * manifests (OCI and Docker media types of one build) names the newest of them.
 */
async function byConfig(
  store: ImageStore,
  index: ImageIndex,
  matches: (configDigest: Digest) => boolean,
): Promise<Descriptor[]> {
  const newest = new Map<Digest, Descriptor>();
  for (const entry of index.manifests) {
    const doc = await readImageDocument(store, entry.digest, entry.mediaType).catch(() => undefined);
    if (doc?.kind === 'manifest' && matches(doc.manifest.config.digest))
      newest.set(doc.manifest.config.digest, stripRefName(entry));
  }
  return [...newest.values()];
}

function stripRefName(entry: Descriptor): Descriptor {
  if (entryRefName(entry) === undefined) return entry;
  const { [OciAnnotation.RefName]: _drop, ...rest } = entry.annotations ?? {};
  const { annotations: _a, ...plain } = entry;
  return Object.keys(rest).length > 0 ? { ...plain, annotations: rest } : plain;
}

/** Resolves a reference, digest or ID prefix to the image for one platform. */
export async function resolveImage(
  store: ImageStore,
  ref: string,
  options: ResolveImageOptions = {},
): Promise<ResolvedImage> {
  const root = await resolveRoot(store, ref);
  const index = await store.readIndex();
  const tags = index.manifests.filter((m) => m.digest === root.digest).flatMap((m) => entryRefName(m) ?? []);
  return resolveDescriptor(store, root, { ...options, tags });
}

/** Resolves a root descriptor (index or manifest) for one platform. */
export async function resolveDescriptor(
  store: ImageStore,
  root: Descriptor,
  options: ResolveImageOptions & { readonly tags?: readonly string[] } = {},
): Promise<ResolvedImage> {
  const doc = await readImageDocument(store, root.digest);
  let manifestDescriptor = root;
  let manifest: ImageManifest;
  let index: ImageIndex | undefined;
  if (doc.kind === 'index') {
    index = doc.index;
    const want = options.platform
      ? normalizePlatform(options.platform)
      : defaultPlatform({ platform: process.platform, arch: process.arch });
    manifestDescriptor = await pickManifest(store, doc.index, root, want);
    const child = await readImageDocument(store, manifestDescriptor.digest);
    if (child.kind !== 'manifest') {
      throw new KilnError(
        ErrorCode.InvalidDocument,
        `nested index ${manifestDescriptor.digest} is not supported`,
      );
    }
    manifest = child.manifest;
  } else {
    manifest = doc.manifest;
  }
  const config = await readImageConfig(store, manifest.config.digest);
  return {
    root,
    tags: options.tags ?? [],
    ...(index !== undefined ? { index } : {}),
    manifestDescriptor,
    manifest,
    config,
  };
}

async function pickManifest(
  store: ImageStore,
  index: ImageIndex,
  root: Descriptor,
  want: PlatformSpec,
): Promise<Descriptor> {
  const present: Descriptor[] = [];
  for (const entry of index.manifests) if (await store.hasBlob(entry.digest)) present.push(entry);
  const chosen = selectManifest({ ...index, manifests: present }, want);
  if (chosen !== undefined) return chosen;
  const images = index.manifests.filter((m) => !isAttestationManifest(m));
  const available = images.flatMap((m) =>
    m.platform ? [formatPlatform(normalizePlatform(m.platform))] : [],
  );
  throw new KilnError(
    ErrorCode.NotFound,
    selectManifest(index, want) !== undefined
      ? `the ${formatPlatform(want)} manifest of ${root.digest} is not in the local store`
      : `image ${root.digest} has no manifest for ${formatPlatform(want)} (has: ${available.join(', ') || 'none'})`,
  );
}
