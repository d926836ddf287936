/**
 * Validation of the `oci-layout` marker file.
 */

import { expectObject, expectString, invalid, type JsonPlace, required } from './json-checks.js';
import { IMAGE_LAYOUT_VERSION } from './media-types.js';
import type { ImageLayout } from './types.js';

/** Validates an `oci-layout` document (`{"imageLayoutVersion": "1.0.0"}`). */
export function validateLayout(json: unknown): ImageLayout {
  const place: JsonPlace = { document: 'oci-layout', path: '$' };
  const object = expectObject(json, place);
  const version = required(object, 'imageLayoutVersion', place, expectString);
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw invalid(
      { ...place, path: '$.imageLayoutVersion' },
      `unsupported layout version ${JSON.stringify(version)}`,
    );
  }
  return object as unknown as ImageLayout;
}
