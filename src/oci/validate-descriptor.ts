/**
 * Validation of content descriptors and platforms (OCI and Docker schema 2 forms).
 */
import { createHash } from 'node:crypto';
import type { Digest } from './digest.js';
import {
  child,
  expectBase64,
  expectInteger,
  expectMediaType,
  expectObject,
  expectString,
  expectStringArray,
  expectStringMap,
  expectUri,
  invalid,
  type JsonPlace,
  optional,
  required,
} from './json-checks.js';
import type { Descriptor, Platform } from './types.js';

const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Algorithms whose encoded form kiln checks strictly (as go-digest does); others only follow the grammar. */
const KNOWN_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * A descriptor digest: the OCI grammar, and lowercase hex of the right length for sha256/sha384/sha512.
 * Digests with other algorithms are accepted (as image-spec does); using their content fails later.
 */
export function expectDescriptorDigest(value: unknown, place: JsonPlace): Digest {
  const text = expectString(value, place);
  if (!DIGEST_GRAMMAR.test(text)) throw invalid(place, `${JSON.stringify(text)} is not a valid digest`);
  const colon = text.indexOf(':');
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const length = Object.hasOwn(KNOWN_HEX_LENGTH, algorithm) ? KNOWN_HEX_LENGTH[algorithm] : undefined;
  if (length !== undefined && (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded))) {
    throw invalid(place, `${algorithm} digest must be ${length} lowercase hex characters`);
  }
  return text as Digest;
}

/** A platform object (index entries, Docker manifest lists). */
export function readPlatform(value: unknown, place: JsonPlace): Platform {
  const object = expectObject(value, place);
  required(object, 'architecture', place, expectString);
  required(object, 'os', place, expectString);
  optional(object, 'os.version', place, expectString);
  optional(object, 'os.features', place, expectStringArray);
  optional(object, 'variant', place, expectString);
  optional(object, 'features', place, expectStringArray);
  return object as unknown as Platform;
}

function checkEmbeddedData(data: string, descriptor: Descriptor, place: JsonPlace): void {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length !== descriptor.size) {
    throw invalid(child(place, 'data'), `holds ${bytes.length} bytes but size is ${descriptor.size}`);
  }
  const algorithm = descriptor.digest.slice(0, descriptor.digest.indexOf(':'));
  if (algorithm === 'sha256' || algorithm === 'sha512' || algorithm === 'sha384') {
    const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
    if (actual !== descriptor.digest)
      throw invalid(child(place, 'data'), `content does not match digest (${actual})`);
  }
}

/** Checks one descriptor at `place`; `platform` is allowed everywhere (it only means something in indexes). */
export function readDescriptor(value: unknown, place: JsonPlace): Descriptor {
  const object = expectObject(value, place);
  required(object, 'mediaType', place, expectMediaType);
  required(object, 'digest', place, expectDescriptorDigest);
  required(object, 'size', place, (v, p) => expectInteger(v, p, 0));
  optional(object, 'urls', place, (v, p) => {
    const urls = expectStringArray(v, p);
    urls.forEach((url, i) => {
      expectUri(url, child(p, i));
    });
    return urls;
  });
  optional(object, 'annotations', place, expectStringMap);
  optional(object, 'artifactType', place, expectMediaType);
  optional(object, 'platform', place, readPlatform);
  const data = optional(object, 'data', place, expectBase64);
  const descriptor = object as unknown as Descriptor;
  if (data !== undefined) checkEmbeddedData(data, descriptor, place);
  return descriptor;
}

/**
 * Validates a content descriptor (`application/vnd.oci.descriptor.v1+json`).
 * Returns the same object, typed; throws KilnError(E_INVALID_DOCUMENT) with a JSON path otherwise.
 */
export function validateDescriptor(json: unknown): Descriptor {
  return readDescriptor(json, { document: 'descriptor', path: '$' });
}
