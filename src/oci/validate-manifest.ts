/**
 * Validation of image manifests: OCI image manifests and Docker image manifest v2 schema 2.
 */

import {
  child,
  expectArray,
  expectInteger,
  expectMediaType,
  expectObject,
  expectStringMap,
  invalid,
  type JsonPlace,
  optional,
  required,
} from './json-checks.js';
import { DockerMediaType, OciMediaType } from './media-types.js';
import type { ImageManifest } from './types.js';
import { readDescriptor } from './validate-descriptor.js';

export interface ValidateManifestOptions {
  /**
   * Refuse manifests without layers, as the OCI JSON schema does. Off by default: the spec text only
   * says SHOULD, and BuildKit produces layerless images (`FROM scratch` + metadata only).
   */
  readonly requireLayers?: boolean;
}

export function expectSchemaVersion2(value: unknown, place: JsonPlace): 2 {
  const version = expectInteger(value, place, 0);
  if (version !== 2) throw invalid(place, `unsupported schema version ${version} (only 2 is supported)`);
  return 2;
}

const MANIFEST_TYPES: readonly string[] = [OciMediaType.ImageManifest, DockerMediaType.Manifest];

/**
 * Validates an image manifest (OCI, or Docker schema 2 which must carry its mediaType).
 * Returns the same object, typed (unknown fields are kept); throws KilnError(E_INVALID_DOCUMENT).
 */
export function validateManifest(json: unknown, options: ValidateManifestOptions = {}): ImageManifest {
  const place: JsonPlace = { document: 'image manifest', path: '$' };
  const object = expectObject(json, place);
  required(object, 'schemaVersion', place, expectSchemaVersion2);
  const mediaType = optional(object, 'mediaType', place, expectMediaType);
  if (mediaType !== undefined && !MANIFEST_TYPES.includes(mediaType)) {
    throw invalid(
      child(place, 'mediaType'),
      `${JSON.stringify(mediaType)} is not an image manifest media type`,
    );
  }
  if (Object.hasOwn(object, 'manifests')) {
    throw invalid(child(place, 'manifests'), 'an image manifest has no manifests (is this an index?)');
  }
  optional(object, 'artifactType', place, expectMediaType);
  required(object, 'config', place, readDescriptor);
  const layers = required(object, 'layers', place, expectArray);
  layers.forEach((layer, i) => {
    readDescriptor(layer, child(child(place, 'layers'), i));
  });
  if (options.requireLayers === true && layers.length === 0) {
    throw invalid(child(place, 'layers'), 'at least one layer is required');
  }
  optional(object, 'subject', place, readDescriptor);
  optional(object, 'annotations', place, expectStringMap);
  return object as unknown as ImageManifest;
}
