/**
 * Image archives and layouts as build bases.
 *
 * Syntax (BuildKit's named-context spellings, plus kiln's archive transports):
 *
 * - `FROM oci-layout://DIR[:TAG|@DIGEST]` — an OCI image layout directory; TAG is the
 *   `org.opencontainers.image.ref.name` of an index.json entry, DIGEST an index/manifest blob in it.
 * - `FROM oci-archive:FILE[:NAME]`, `FROM docker-archive:FILE[:REF|:@N]` — archives (see
 *   transport-spec.ts).
 * - `--build-context NAME=VALUE` maps a `FROM NAME` (and `COPY --from=NAME`) to VALUE, one of:
 *   `oci-layout://…`, `oci-archive:…`, `docker-archive:…`, `docker-image://REF` (another image
 *   reference) or a local directory (`local:DIR` / a plain path; for COPY only, not a base).
 *
 * `resolveBaseImage` imports the chosen platform's image into the store (untagged, so GC keeps it)
 * and returns its manifest and config, for the build solver. The transports load only then, so
 * parsing the specs (every build does) stays cheap.
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { Platform } from '../oci/types.js';
import type { LocalStore } from '../store/local-store.js';
import { type ResolvedImage, resolveDescriptor } from '../store/resolve-image.js';
import type { ImageSource } from './transport.js';
import { parseTransportSpec, type TransportSpec } from './transport-spec.js';

/** A base image (or build context) that is not a plain registry / store reference. */
export type ArchiveBaseSpec = Extract<TransportSpec, { kind: 'oci' | 'oci-archive' | 'docker-archive' }>;

/** What a `--build-context` value names. */
export type BuildContextValue =
  | { readonly kind: 'archive'; readonly spec: ArchiveBaseSpec }
  | { readonly kind: 'image'; readonly ref: string }
  | { readonly kind: 'local'; readonly dir: string };

const ARCHIVE_PREFIXES = ['oci-layout://', 'oci-archive:', 'docker-archive:'];

/** The archive spec of a `FROM` value, or undefined for an ordinary image reference. */
export function parseBaseImageSpec(text: string): ArchiveBaseSpec | undefined {
  if (!ARCHIVE_PREFIXES.some((prefix) => text.startsWith(prefix))) return undefined;
  const spec = parseTransportSpec(text);
  if (spec.kind === 'oci' || spec.kind === 'oci-archive' || spec.kind === 'docker-archive') return spec;
  return undefined;
}

/** Parses one `--build-context VALUE`. */
export function parseBuildContextValue(value: string): BuildContextValue {
  const archive = parseBaseImageSpec(value);
  if (archive !== undefined) return { kind: 'archive', spec: archive };
  if (value.startsWith('docker-image://')) {
    const ref = value.slice('docker-image://'.length);
    if (ref === '')
      throw new KilnError(ErrorCode.Usage, `empty image in build context ${JSON.stringify(value)}`);
    return { kind: 'image', ref };
  }
  const dir = value.startsWith('local:') ? value.slice('local:'.length) : value;
  if (dir === '' || /^[a-z][a-z0-9+.-]*:\/\//.test(dir)) {
    throw new KilnError(ErrorCode.Usage, `unsupported build context ${JSON.stringify(value)}`, {
      hint: 'use oci-layout://DIR, oci-archive:FILE, docker-archive:FILE, docker-image://REF or a directory',
    });
  }
  return { kind: 'local', dir };
}

/** Parses `--build-context NAME=VALUE` flags (a later NAME replaces an earlier one). */
export function parseBuildContexts(flags: readonly string[]): ReadonlyMap<string, BuildContextValue> {
  const contexts = new Map<string, BuildContextValue>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      throw new KilnError(
        ErrorCode.Usage,
        `invalid --build-context ${JSON.stringify(flag)}: want NAME=VALUE`,
      );
    }
    contexts.set(flag.slice(0, eq), parseBuildContextValue(flag.slice(eq + 1)));
  }
  return contexts;
}

/**
 * What `FROM name` means given the build contexts: an archive base, another image reference, or
 * undefined (an ordinary reference, to pull or find in the store). A local directory is refused.
 */
export function baseImageFor(
  from: string,
  contexts: ReadonlyMap<string, BuildContextValue> = new Map(),
):
  | { readonly kind: 'archive'; readonly spec: ArchiveBaseSpec }
  | { readonly kind: 'image'; readonly ref: string } {
  const mapped = contexts.get(from);
  if (mapped === undefined) {
    const spec = parseBaseImageSpec(from);
    return spec !== undefined ? { kind: 'archive', spec } : { kind: 'image', ref: from };
  }
  if (mapped.kind === 'local') {
    throw new KilnError(
      ErrorCode.Usage,
      `build context ${JSON.stringify(from)} is a directory, not an image`,
    );
  }
  return mapped;
}

export interface ResolveBaseImageOptions {
  readonly spec: ArchiveBaseSpec;
  readonly store: LocalStore;
  /** The target platform of the stage. */
  readonly platform: Platform;
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
}

/** Imports the base image's platform manifest into the store; returns the stored image. */
export async function resolveBaseImage(options: ResolveBaseImageOptions): Promise<ResolvedImage> {
  const [{ copyImage }, { openSource }, { StoreDestination }] = await Promise.all([
    import('./copy-image.js'),
    import('./open-transport.js'),
    import('./store-transport.js'),
  ]);
  const source = await openSource(options.spec, {
    ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  try {
    const images = await source.images();
    if (images.length !== 1) {
      throw new KilnError(
        ErrorCode.Usage,
        `${source.description} holds ${images.length} images; name one (…:NAME, …@DIGEST or :@N)`,
      );
    }
    const destination = new StoreDestination(options.store);
    // Stored untagged: the build names its result, not its base.
    const single: ImageSource = {
      description: source.description,
      images: async () => images.map((image) => ({ root: image.root, names: [] })),
      hasBlob: (descriptor) => source.hasBlob(descriptor),
      openBlob: (descriptor) => source.openBlob(descriptor),
      readBlob: (descriptor) => source.readBlob(descriptor),
      close: async () => undefined,
    };
    const result = await copyImage({
      src: single,
      dst: destination,
      platform: options.platform,
      ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const root = result.images[0]!.root;
    return await resolveDescriptor(options.store, root, { platform: options.platform });
  } finally {
    await source.close();
  }
}
