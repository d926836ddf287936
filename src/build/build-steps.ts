/**
 * The preparation steps of a build, each a small function: which namespace it runs in, opening the
 * context, reporting internal vertices, resolving the plan's image and local-context sources, and
 * which ops ignore the cache.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { BuildContextValue } from '../archive/index.js';
import { type BuildContext, openBuildContext } from '../context/index.js';
import { ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { BuildPlan, Op, OpId } from '../plan/index.js';
import { type ProgressEmitter, toProgressError } from '../progress/index.js';
import type { LocalStore, ResolvedImage } from '../store/index.js';
import { contextForPlan, contextFromEnv, type NamespaceContext } from '../userns/context.js';
import type { ImageResolver } from './base-images.js';
import { digestLocalContext } from './local-contexts.js';
import type { BuildOptions } from './types.js';

/** The namespace the build runs in: given, from KILN_USERNS, or real root; else E_USERNS. */
export function namespaceOf(options: BuildOptions): NamespaceContext {
  if (options.namespace !== undefined) return options.namespace;
  const fromEnv = contextFromEnv({ ...(options.env ?? {}) });
  if (fromEnv !== undefined) return fromEnv;
  if (process.getuid?.() === 0) return contextForPlan({ kind: 'root', ownership: 'native', warnings: [] });
  throw new KilnError(
    ErrorCode.UserNamespace,
    'building as an unprivileged user needs kiln’s user namespace',
    {
      hint: 'run builds through the kiln CLI (it enters the namespace), or pass `namespace` after entering one',
    },
  );
}

/** The Dockerfile name shown in `[internal] load build definition from …`. */
export function definitionName(options: BuildOptions): string {
  if (options.dockerfileText !== undefined || options.dockerfile === undefined) return 'Dockerfile';
  return options.dockerfile.split('/').pop() || 'Dockerfile';
}

/** Runs a vertex that is not a plan op (`[internal] …`, `exporting to image`). */
export async function vertex<T>(emit: ProgressEmitter, name: string, work: () => Promise<T>): Promise<T> {
  const id = `internal:${name}`;
  const started = Date.now();
  emit({ kind: 'vertex-start', id, name });
  try {
    const result = await work();
    emit({ kind: 'vertex-done', id, durationMs: Date.now() - started });
    return result;
  } catch (error) {
    const location = error instanceof KilnError ? error.location : undefined;
    emit({
      kind: 'vertex-error',
      id,
      error: toProgressError(error),
      ...(location === undefined ? {} : { location }),
    });
    throw error;
  }
}

/** Opens the build context (directory, or a tar / Dockerfile on stdin). */
export async function openContext(options: BuildOptions, store: LocalStore): Promise<BuildContext> {
  const cwd = options.cwd ?? process.cwd();
  const common = {
    ...(options.dockerfile === undefined ? {} : { dockerfilePath: options.dockerfile }),
    ...(options.dockerfileText === undefined ? {} : { dockerfileText: options.dockerfileText }),
    tempDir: store.paths.tmpDir,
    ...(options.env === undefined ? {} : {}),
  };
  const input = options.context;
  if (input.kind === 'dir') {
    const path = isAbsolute(input.path) ? input.path : resolve(cwd, input.path);
    return openBuildContext({ source: { kind: 'dir', path }, ...common });
  }
  return openBuildContext({ source: { kind: 'stdin', stream: input.stream as Readable }, ...common });
}

/** What the build learnt about the plan's sources before solving. */
export interface Resolved {
  readonly images: Map<OpId, ResolvedImage>;
  /** Source ops that are plain directories (local build contexts, downloads). */
  readonly sourceDirs: Map<OpId, string>;
  /** Content digests standing in for image digests of local build contexts. */
  readonly localDigests: Map<OpId, string>;
  /** Every layer blob by diffID (base image layers are compressed blobs). */
  readonly blobs: Map<Digest, Digest>;
  readonly layerMediaTypes: Map<
    Digest,
    { readonly mediaType: string; readonly digest: Digest; readonly size: number }
  >;
}

/** Records an image's layer blobs by diffID. */
export function remember(resolved: Resolved, image: ResolvedImage): void {
  image.config.rootfs.diff_ids.forEach((diffID, i) => {
    const layer = image.manifest.layers[i];
    if (layer === undefined) return;
    resolved.blobs.set(diffID, layer.digest);
    resolved.layerMediaTypes.set(diffID, {
      mediaType: layer.mediaType,
      digest: layer.digest,
      size: layer.size,
    });
  });
}

/** `--build-context` mappings and where to hash local directories. */
export interface LocalContexts {
  readonly contexts: ReadonlyMap<string, BuildContextValue>;
  readonly cwd: string;
  readonly cacheDir: string;
}

/** Resolves every image source op of the plan (local build contexts become plain directories). */
export async function resolveImageOps(
  plan: BuildPlan,
  resolver: ImageResolver,
  resolved: Resolved,
  local: LocalContexts,
): Promise<void> {
  await Promise.all(
    plan.ops.map(async (op) => {
      if (op.kind !== 'source' || op.source.kind !== 'image') return;
      const mapped = local.contexts.get(op.source.ref);
      if (mapped?.kind === 'local') {
        const { root, digest } = await digestLocalContext(mapped.dir, local);
        resolved.sourceDirs.set(op.id, root);
        resolved.localDigests.set(op.id, digest);
        return;
      }
      const image = await resolver.resolve(op.source.ref, op.source.platform);
      resolved.images.set(op.id, image);
      remember(resolved, image);
    }),
  );
}

/** Which ops must not use the cache (--no-cache, --no-cache-filter by stage name or index). */
export function stageFilter(plan: BuildPlan, options: BuildOptions): (op: Op) => boolean {
  if (options.noCache === true) return () => true;
  const filter = (options.noCacheFilter ?? []).map((s) => s.toLowerCase());
  if (filter.length === 0) return () => false;
  const indexes = new Set(
    plan.stages
      .filter(
        (s) =>
          filter.includes(String(s.index)) || (s.name !== undefined && filter.includes(s.name.toLowerCase())),
      )
      .map((s) => s.index),
  );
  return (op) => op.stage !== undefined && indexes.has(op.stage);
}
