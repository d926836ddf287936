/**
 * Checks a normalised image against a case's reference assertions and returns every mismatch as one
 * readable line (empty = conforming).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Expected, ExpectedEntry } from './corpus.js';
import type { CanonicalConfig } from './image-config.js';
import type { NormalisedImage } from './normalise.js';
import type { TreeEntry } from './tree-walk.js';

const SET_FIELDS: ReadonlySet<string> = new Set(['ExposedPorts', 'Volumes']);

function entryMismatches(path: string, want: ExpectedEntry, got: TreeEntry | undefined): string[] {
  if (got === undefined) return [`${path}: missing`];
  const out: string[] = [];
  const field = (name: string, expected: unknown, actual: unknown): void => {
    if (expected !== undefined && expected !== actual) {
      out.push(`${path}: ${name} ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
    }
  };
  field('type', want.type, got.type);
  field('mode', want.mode, got.mode);
  field('uid', want.uid, got.uid);
  field('gid', want.gid, got.gid);
  field('target', want.target, got.target);
  if (want.content !== undefined) {
    const bytes = Buffer.from(want.content, 'utf8');
    field('size', bytes.length, got.size);
    field('sha256', createHash('sha256').update(bytes).digest('hex'), got.sha256);
  }
  return out;
}

/** Mismatches of `image` against `expected`; `excused` are config fields / paths not to check. */
export function checkExpected(
  image: NormalisedImage,
  expected: Expected,
  excused: { readonly configFields?: ReadonlySet<string>; readonly paths?: ReadonlySet<string> } = {},
): string[] {
  const out: string[] = [];
  const config = image.config as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected.config ?? {})) {
    if (excused.configFields?.has(key)) continue;
    const canonicalWant = SET_FIELDS.has(key) ? [...(want as string[])].sort() : want;
    if (!isDeepStrictEqual(config[key], canonicalWant)) {
      out.push(`config.${key}: ${JSON.stringify(config[key])}, want ${JSON.stringify(canonicalWant)}`);
    }
  }
  for (const key of expected.configAbsent ?? []) {
    if (excused.configFields?.has(key)) continue;
    if (config[key] !== undefined) out.push(`config.${key}: ${JSON.stringify(config[key])}, want absent`);
  }
  const byPath = new Map(image.tree.map((e) => [e.path, e]));
  for (const [path, want] of Object.entries(expected.files ?? {})) {
    if (excused.paths?.has(path)) continue;
    out.push(...entryMismatches(path, want, byPath.get(path)));
  }
  for (const path of expected.absent ?? []) {
    if (!excused.paths?.has(path) && byPath.has(path)) out.push(`${path}: present, want absent`);
  }
  return out;
}

/** The config fields a case asserts on (for reports). */
export function assertedConfigFields(expected: Expected): (keyof CanonicalConfig)[] {
  return [
    ...(Object.keys(expected.config ?? {}) as (keyof CanonicalConfig)[]),
    ...(expected.configAbsent ?? []),
  ];
}
