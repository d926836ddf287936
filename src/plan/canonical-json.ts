/**
 * Canonical JSON: object keys sorted (UTF-16 order), no whitespace, `undefined` members dropped.
 * The input of every cache key, so that equal values always give equal bytes.
 */
import { ErrorCode, KilnError } from '../errors.js';

/** Serialises `value` canonically. Throws E_INTERNAL for values JSON cannot represent exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new KilnError(ErrorCode.Internal, `cannot hash non-finite number ${value}`);
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new KilnError(ErrorCode.Internal, `cannot hash a ${typeof value}`);
  }
}
