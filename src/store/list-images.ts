/**
 * `kiln images`: one summary per index.json entry.
 */

import { isKilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor, Platform } from '../oci/types.js';
import { entryRefName, resolveDescriptor } from './resolve-image.js';
import type { ImageStore } from './types.js';

export interface ImageSummary {
  /** The root digest (index or manifest); kiln's image ID. */
  readonly id: Digest;
  readonly mediaType: string;
  /** Full ref name (`docker.io/library/busybox:latest`), absent for dangling images. */
  readonly reference?: string;
  /** Repository part of the reference (`docker.io/library/busybox`). */
  readonly repository?: string;
  /** Tag part of the reference. */
  readonly tag?: string;
  /** Image config `created`, when readable. */
  readonly created?: string;
  /** Bytes of manifest, config and layers of the host-platform image, when all of it is readable. */
  readonly size?: number;
  readonly platform?: Platform;
  /** Why the details are missing (blob absent, invalid document). */
  readonly problem?: string;
}

/** Lists stored images in index.json order (one entry per tag). */
export async function listImages(store: ImageStore): Promise<readonly ImageSummary[]> {
  const index = await store.readIndex();
  const details = new Map<Digest, Promise<Partial<ImageSummary>>>();
  const summaries: ImageSummary[] = [];
  for (const entry of index.manifests) {
    let detail = details.get(entry.digest);
    if (detail === undefined) {
      detail = describe(store, entry);
      details.set(entry.digest, detail);
    }
    const reference = entryRefName(entry);
    summaries.push({
      id: entry.digest,
      mediaType: entry.mediaType,
      ...(reference !== undefined ? { reference, ...splitReference(reference) } : {}),
      ...(await detail),
    });
  }
  return summaries;
}

async function describe(store: ImageStore, entry: Descriptor): Promise<Partial<ImageSummary>> {
  try {
    const image = await resolveDescriptor(store, entry);
    const size =
      (image.index !== undefined ? entry.size : 0) +
      image.manifestDescriptor.size +
      image.manifest.config.size +
      image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    return {
      ...(image.config.created !== undefined ? { created: image.config.created } : {}),
      size,
      platform: {
        os: image.config.os,
        architecture: image.config.architecture,
        ...(image.config.variant !== undefined ? { variant: image.config.variant } : {}),
      },
    };
  } catch (error) {
    if (isKilnError(error)) return { problem: error.message };
    throw error;
  }
}

/** `docker.io/library/busybox:latest` → repository + tag; `name@sha256:…` → repository only. */
export function splitReference(reference: string): { readonly repository: string; readonly tag?: string } {
  const at = reference.indexOf('@');
  if (at >= 0) return { repository: reference.slice(0, at) };
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/'))
    return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference };
}
