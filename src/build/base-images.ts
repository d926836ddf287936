/**
 * Finding the images a build starts from: `--build-context` mappings and archive bases first, then
 * the local store, then the registry (always the registry with `pull`). Pulled images are tagged in
 * the store, so the next build finds them locally.
 */
import { type BuildContextValue, baseImageFor, resolveBaseImage } from '../archive/base-image.js';
import { ErrorCode, isKilnError, KilnError } from '../errors.js';
import type { PlatformSpec } from '../oci/platform.js';
import { parseReference, referenceString } from '../oci/reference.js';
import type { RegistryClient } from '../registry/index.js';
import { imageRefFrom } from '../registry/reference.js';
import {
  type Lease,
  type LocalStore,
  type ResolvedImage,
  resolveDescriptor,
  resolveImage,
  setImageTag,
} from '../store/index.js';

export interface ImageResolver {
  /** The image `ref` (as written after FROM / --from) for `platform`. */
  resolve(ref: string, platform: PlatformSpec): Promise<ResolvedImage>;
}

export interface ImageResolverOptions {
  readonly store: LocalStore;
  readonly lease: Lease;
  readonly pull: boolean;
  readonly buildContexts: ReadonlyMap<string, BuildContextValue>;
  registryClient(registry: string): RegistryClient | Promise<RegistryClient>;
  readonly signal?: AbortSignal;
  /** Called before a registry pull (progress). */
  readonly onPull?: (ref: string) => void;
}

async function fromRegistry(
  options: ImageResolverOptions,
  ref: string,
  platform: PlatformSpec,
): Promise<ResolvedImage> {
  const parsed = parseReference(ref);
  options.onPull?.(referenceString(parsed));
  const client = await options.registryClient(parsed.domain);
  // The registry client loads only for a pull (a cached build finds its bases in the store).
  const { pullImage } = await import('../registry/index.js');
  const result = await pullImage(client, {
    reference: imageRefFrom(parsed),
    store: options.store,
    platform,
    lease: options.lease,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (parsed.tag !== undefined && parsed.digest === undefined) {
    await setImageTag(options.store, referenceString(parsed), result.root);
  }
  return resolveDescriptor(options.store, result.root, { platform });
}

/** A resolver that remembers each (ref, platform) it resolved (one lookup per build). */
export function createImageResolver(options: ImageResolverOptions): ImageResolver {
  const done = new Map<string, Promise<ResolvedImage>>();
  const resolveOnce = async (ref: string, platform: PlatformSpec): Promise<ResolvedImage> => {
    const base = baseImageFor(ref, options.buildContexts);
    if (base.kind === 'archive') {
      return resolveBaseImage({
        spec: base.spec,
        store: options.store,
        platform,
        tmpDir: options.store.paths.tmpDir,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    }
    if (!options.pull) {
      try {
        return await resolveImage(options.store, base.ref, { platform });
      } catch (error) {
        if (!(isKilnError(error) && error.code === ErrorCode.NotFound)) throw error;
      }
    }
    try {
      return await fromRegistry(options, base.ref, platform);
    } catch (error) {
      if (isKilnError(error) && error.code !== ErrorCode.RegistryUnreachable) throw error;
      throw new KilnError(
        ErrorCode.NotFound,
        `base image ${JSON.stringify(ref)} is not in the local store and could not be pulled`,
        {
          cause: error,
          hint: `pull it first (kiln pull ${ref}) or load it (kiln load)`,
        },
      );
    }
  };
  return {
    resolve(ref, platform) {
      const key = `${ref}\u0000${platform.os}/${platform.architecture}/${platform.variant}`;
      let pending = done.get(key);
      if (pending === undefined) {
        pending = resolveOnce(ref, platform);
        done.set(key, pending);
      }
      return pending;
    },
  };
}
