/**
 * Small typed checks used by the document validators. Each takes the value, its JSON path (`$.a[0].b`)
 * and the document kind, and throws KilnError(E_INVALID_DOCUMENT) naming the path on failure.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { ErrorCode, KilnError } from '../errors.js';

/** Where a value sits: the document kind (for messages) and a JSON path. */
export interface JsonPlace {
  readonly document: string;
  readonly path: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function invalid(place: JsonPlace, problem: string): KilnError {
  return new KilnError(ErrorCode.InvalidDocument, `invalid ${place.document}: ${place.path}: ${problem}`);
}

export function child(place: JsonPlace, key: string | number): JsonPlace {
  const step =
    typeof key === 'number'
      ? `[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
        ? `.${key}`
        : `[${JSON.stringify(key)}]`;
  return { document: place.document, path: `${place.path}${step}` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, place: JsonPlace): JsonObject {
  if (!isObject(value)) throw invalid(place, `expected an object, got ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, place: JsonPlace): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(place, `expected an array, got ${describe(value)}`);
  return value;
}

export function expectString(value: unknown, place: JsonPlace): string {
  if (typeof value !== 'string') throw invalid(place, `expected a string, got ${describe(value)}`);
  return value;
}

export function expectBoolean(value: unknown, place: JsonPlace): boolean {
  if (typeof value !== 'boolean') throw invalid(place, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** A JSON integer within [min, Number.MAX_SAFE_INTEGER]. */
export function expectInteger(value: unknown, place: JsonPlace, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(place, `expected an integer, got ${describe(value)}`);
  }
  if (value < min) throw invalid(place, `must be at least ${min}, got ${value}`);
  if (value > Number.MAX_SAFE_INTEGER) throw invalid(place, `${value} is too large`);
  return value;
}

/** Reads an optional field: undefined when absent, otherwise the checked value. */
export function optional<T>(
  object: JsonObject,
  key: string,
  place: JsonPlace,
  check: (value: unknown, place: JsonPlace) => T,
): T | undefined {
  if (!Object.hasOwn(object, key)) return undefined;
  return check(object[key], child(place, key));
}

/** Reads a required field. */
export function required<T>(
  object: JsonObject,
  key: string,
  place: JsonPlace,
  check: (value: unknown, place: JsonPlace) => T,
): T {
  if (!Object.hasOwn(object, key)) throw invalid(child(place, key), 'required field is missing');
  return check(object[key], child(place, key));
}

export function expectStringArray(value: unknown, place: JsonPlace): readonly string[] {
  const array = expectArray(value, place);
  array.forEach((item, i) => {
    expectString(item, child(place, i));
  });
  return array as readonly string[];
}

export function expectStringMap(value: unknown, place: JsonPlace): Readonly<Record<string, string>> {
  const object = expectObject(value, place);
  for (const [key, item] of Object.entries(object)) expectString(item, child(place, key));
  return object as Readonly<Record<string, string>>;
}

/** An object whose values are all objects (ExposedPorts, Volumes: `{"80/tcp": {}}`). */
export function expectObjectMap(value: unknown, place: JsonPlace): Readonly<Record<string, JsonObject>> {
  const object = expectObject(value, place);
  for (const [key, item] of Object.entries(object)) expectObject(item, child(place, key));
  return object as Readonly<Record<string, JsonObject>>;
}

/** Accepts null as well as what `check` accepts. */
export function orNull<T>(check: (value: unknown, place: JsonPlace) => T) {
  return (value: unknown, place: JsonPlace): T | null => (value === null ? null : check(value, place));
}

const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** An RFC 6838 media type as the OCI schema's pattern allows. */
export function expectMediaType(value: unknown, place: JsonPlace): string {
  const text = expectString(value, place);
  if (!MEDIA_TYPE_RE.test(text)) throw invalid(place, `${JSON.stringify(text)} is not a valid media type`);
  return text;
}

const dateTimeFormat = fullFormats['date-time'] as { readonly validate: (s: string) => boolean };
const uriFormat = fullFormats.uri as (s: string) => boolean;

/** An RFC 3339 date-time (`2015-10-31T22:22:56.015925234Z`). */
export function expectDateTime(value: unknown, place: JsonPlace): string {
  const text = expectString(value, place);
  if (!dateTimeFormat.validate(text) || !/^\d{4}-\d\d-\d\dT/.test(text)) {
    throw invalid(place, `${JSON.stringify(text)} is not an RFC 3339 date-time`);
  }
  return text;
}

/** An absolute URI (RFC 3986). */
export function expectUri(value: unknown, place: JsonPlace): string {
  const text = expectString(value, place);
  if (!uriFormat(text)) throw invalid(place, `${JSON.stringify(text)} is not an absolute URI`);
  return text;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard, padded base64 (what Go's encoding/json expects for []byte). */
export function expectBase64(value: unknown, place: JsonPlace): string {
  const text = expectString(value, place);
  if (!BASE64_RE.test(text)) throw invalid(place, 'is not valid padded base64');
  return text;
}
