/**
 * `--output` values, as `docker buildx build` reads them: `type=image|registry|oci|docker|local|tar`
 * with `dest=`, `name=`, `push=`, `compression=` and `oci-mediatypes=` attributes; the shorthands
 * `-o DIR` (type=local) and `-o -` (a tar of the final filesystem on standard output). Pure.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { type PushCompression, parsePushCompression } from './push-compression.js';

/** Where a build's result goes. */
export type OutputSpec =
  /**
   * The local store (always written); `push` also pushes every name to its registry, compressing
   * uncompressed layers with `compression` (default gzip). `ociMediaTypes` (`oci-mediatypes=`):
   * OCI or Docker schema 2 media types; unset means the exporter's default (see output-media-types.ts).
   */
  | {
      readonly kind: 'image';
      readonly names: readonly string[];
      readonly push: boolean;
      readonly compression?: PushCompression;
      readonly ociMediaTypes?: boolean;
    }
  /** Push every name to its registry (uncompressed layers compressed with `compression`, default gzip). */
  | {
      readonly kind: 'registry';
      readonly names: readonly string[];
      readonly compression?: PushCompression;
      readonly ociMediaTypes?: boolean;
    }
  /** An OCI archive or a docker-archive at `dest` (`-` = standard output). */
  | {
      readonly kind: 'oci' | 'docker';
      readonly dest: string;
      readonly names: readonly string[];
      readonly ociMediaTypes?: boolean;
    }
  /** The final filesystem copied into directory `dest`. */
  | { readonly kind: 'local'; readonly dest: string }
  /** The final filesystem as a tar at `dest` (`-` = standard output). */
  | { readonly kind: 'tar'; readonly dest: string };

const TYPES = ['image', 'registry', 'oci', 'docker', 'local', 'tar'] as const;

function usage(text: string, why: string): KilnError {
  return new KilnError(ErrorCode.Usage, `invalid --output ${JSON.stringify(text)}: ${why}`, {
    hint: 'e.g. type=local,dest=out, type=oci,dest=image.tar, type=registry, or -o DIR',
  });
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const field of text.split(',')) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw usage(text, `${JSON.stringify(field)} is not key=value`);
    out.set(field.slice(0, eq).trim().toLowerCase(), field.slice(eq + 1).trim());
  }
  return out;
}

function names(attrs: ReadonlyMap<string, string>): string[] {
  const value = attrs.get('name');
  return value === undefined || value === '' ? [] : value.split(/[,\s]+/).filter((n) => n !== '');
}

function optionalFlag(text: string, attrs: ReadonlyMap<string, string>, key: string): boolean | undefined {
  const value = attrs.get(key);
  if (value === undefined) return undefined;
  if (value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw usage(text, `${key} must be true or false`);
}

function flag(text: string, attrs: ReadonlyMap<string, string>, key: string): boolean {
  return optionalFlag(text, attrs, key) ?? false;
}

/** Parses one `--output` value. */
export function parseOutputSpec(text: string): OutputSpec {
  if (text === '') throw usage(text, 'empty value');
  if (!text.includes('=')) return text === '-' ? { kind: 'tar', dest: '-' } : { kind: 'local', dest: text };
  const attrs = attributes(text);
  const type = attrs.get('type') ?? (attrs.has('dest') ? 'local' : undefined);
  if (type === undefined) throw usage(text, 'missing type=');
  const dest = attrs.get('dest');
  const needDest = (): string => {
    if (dest === undefined || dest === '') throw usage(text, `type=${type} needs dest=`);
    return dest;
  };
  const compression = (): { compression?: PushCompression } => {
    const value = attrs.get('compression');
    return value === undefined ? {} : { compression: parsePushCompression(value, 'compression=') };
  };
  const mediaTypes = (): { ociMediaTypes?: boolean } => {
    const value = optionalFlag(text, attrs, 'oci-mediatypes');
    return value === undefined ? {} : { ociMediaTypes: value };
  };
  switch (type) {
    case 'image':
      return {
        kind: 'image',
        names: names(attrs),
        push: flag(text, attrs, 'push'),
        ...compression(),
        ...mediaTypes(),
      };
    case 'registry':
      return { kind: 'registry', names: names(attrs), ...compression(), ...mediaTypes() };
    case 'oci':
    case 'docker':
      return { kind: type, dest: needDest(), names: names(attrs), ...mediaTypes() };
    case 'local':
    case 'tar':
      return { kind: type, dest: needDest() };
    default:
      throw usage(text, `unknown type ${JSON.stringify(type)} (want one of ${TYPES.join(', ')})`);
  }
}
