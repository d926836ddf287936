/**
 * Validation of image indexes: OCI image indexes and Docker manifest lists.
 */

import {
  child,
  expectArray,
  expectMediaType,
  expectObject,
  expectStringMap,
  invalid,
  type JsonPlace,
  optional,
  required,
} from './json-checks.js';
import { DockerMediaType, OciMediaType } from './media-types.js';
import type { ImageIndex } from './types.js';
import { readDescriptor } from './validate-descriptor.js';
import { expectSchemaVersion2 } from './validate-manifest.js';

const INDEX_TYPES: readonly string[] = [OciMediaType.ImageIndex, DockerMediaType.ManifestList];

/**
 * Validates an image index or Docker manifest list.
 * Returns the same object, typed (unknown fields are kept); throws KilnError(E_INVALID_DOCUMENT).
 */
export function validateIndex(json: unknown): ImageIndex {
  const place: JsonPlace = { document: 'image index', path: '$' };
  const object = expectObject(json, place);
  required(object, 'schemaVersion', place, expectSchemaVersion2);
  const mediaType = optional(object, 'mediaType', place, expectMediaType);
  if (mediaType !== undefined && !INDEX_TYPES.includes(mediaType)) {
    throw invalid(child(place, 'mediaType'), `${JSON.stringify(mediaType)} is not an image index media type`);
  }
  optional(object, 'artifactType', place, expectMediaType);
  const manifests = required(object, 'manifests', place, expectArray);
  manifests.forEach((entry, i) => {
    readDescriptor(entry, child(child(place, 'manifests'), i));
  });
  optional(object, 'subject', place, readDescriptor);
  optional(object, 'annotations', place, expectStringMap);
  return object as unknown as ImageIndex;
}
