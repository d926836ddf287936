/**
 * Parsing document bytes (manifests, indexes, configs, descriptors, oci-layout) into validated values.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageLayout, ImageManifest } from './types.js';
import { validateConfig } from './validate-config.js';
import { validateDescriptor } from './validate-descriptor.js';
import { validateIndex } from './validate-index.js';
import { validateLayout } from './validate-layout.js';
import { type ValidateManifestOptions, validateManifest } from './validate-manifest.js';

/** Default upper bound for a JSON document (manifests and configs are small; 4 MiB like containerd). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** JSON.parse with typed errors; refuses documents above MAX_DOCUMENT_BYTES. */
export function parseJson(input: string | Uint8Array, what: string): unknown {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new KilnError(ErrorCode.TooLarge, `${what} is ${size} bytes, more than ${MAX_DOCUMENT_BYTES}`);
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new KilnError(
      ErrorCode.InvalidDocument,
      `invalid ${what}: not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

export function parseManifest(input: string | Uint8Array, options?: ValidateManifestOptions): ImageManifest {
  return validateManifest(parseJson(input, 'image manifest'), options);
}

export function parseIndex(input: string | Uint8Array): ImageIndex {
  return validateIndex(parseJson(input, 'image index'));
}

export function parseConfig(input: string | Uint8Array): ImageConfig {
  return validateConfig(parseJson(input, 'image config'));
}

export function parseDescriptor(input: string | Uint8Array): Descriptor {
  return validateDescriptor(parseJson(input, 'descriptor'));
}

export function parseLayout(input: string | Uint8Array): ImageLayout {
  return validateLayout(parseJson(input, 'oci-layout'));
}

/** A manifest or an index, told apart by media type (or by shape when the document has none). */
export type ManifestDocument =
  | { readonly kind: 'manifest'; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly index: ImageIndex };

/**
 * Parses what a registry or store returned for a manifest reference. `mediaType` is the Content-Type
 * or descriptor media type when known; the document's own `mediaType` must agree with it.
 */
export function parseManifestDocument(input: string | Uint8Array, mediaType?: string): ManifestDocument {
  const json = parseJson(input, 'manifest document');
  const declared =
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { mediaType?: unknown }).mediaType === 'string'
      ? (json as { mediaType: string }).mediaType
      : undefined;
  if (mediaType !== undefined && declared !== undefined && declared !== mediaType) {
    throw new KilnError(
      ErrorCode.InvalidDocument,
      `invalid manifest document: mediaType ${JSON.stringify(declared)} differs from ${JSON.stringify(mediaType)}`,
    );
  }
  const type = declared ?? mediaType;
  const looksLikeIndex =
    type !== undefined
      ? isIndexMediaType(type)
      : typeof json === 'object' && json !== null && 'manifests' in json;
  if (type !== undefined && !looksLikeIndex && !isManifestMediaType(type)) {
    throw new KilnError(ErrorCode.InvalidDocument, `unsupported manifest media type ${JSON.stringify(type)}`);
  }
  return looksLikeIndex
    ? { kind: 'index', index: validateIndex(json) }
    : { kind: 'manifest', manifest: validateManifest(json) };
}
