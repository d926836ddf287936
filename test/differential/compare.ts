/**
 * Differences between two normalised images as readable lines (empty = equal): config fields, then
 * paths only on one side, then paths whose entries differ (field by field).
 */
import { isDeepStrictEqual } from 'node:util';
import { CONFIG_FIELDS } from './image-config.js';
import type { NormalisedImage } from './normalise.js';
import type { TreeEntry } from './tree-walk.js';

/** Options of {@link compareImages}. */
export interface CompareOptions {
  /** Names of the two sides in the output, e.g. `kiln` and `buildah`. */
  readonly names: readonly [string, string];
  /** Config fields not compared. */
  readonly ignoreConfigFields?: ReadonlySet<string>;
}

function entryDiff(a: TreeEntry, b: TreeEntry, names: readonly [string, string]): string | undefined {
  const fields = (['type', 'mode', 'uid', 'gid', 'size', 'sha256', 'target'] as const).filter(
    (f) => a[f] !== b[f],
  );
  if (fields.length === 0) return undefined;
  const show = (e: TreeEntry): string => fields.map((f) => `${f}=${String(e[f])}`).join(' ');
  return `${a.path}: ${names[0]} ${show(a)} | ${names[1]} ${show(b)}`;
}

/** Every difference of `a` against `b`. */
export function compareImages(a: NormalisedImage, b: NormalisedImage, options: CompareOptions): string[] {
  const [an, bn] = options.names;
  const out: string[] = [];
  const ac = a.config as Record<string, unknown>;
  const bc = b.config as Record<string, unknown>;
  for (const field of CONFIG_FIELDS) {
    if (options.ignoreConfigFields?.has(field)) continue;
    if (!isDeepStrictEqual(ac[field], bc[field])) {
      out.push(`config.${field}: ${an} ${JSON.stringify(ac[field])} | ${bn} ${JSON.stringify(bc[field])}`);
    }
  }
  const bMap = new Map(b.tree.map((e) => [e.path, e]));
  const aPaths = new Set(a.tree.map((e) => e.path));
  for (const entry of a.tree) {
    const other = bMap.get(entry.path);
    if (other === undefined) out.push(`${entry.path}: only in ${an} (${entry.type})`);
    else {
      const diff = entryDiff(entry, other, options.names);
      if (diff !== undefined) out.push(diff);
    }
  }
  for (const entry of b.tree)
    if (!aPaths.has(entry.path)) out.push(`${entry.path}: only in ${bn} (${entry.type})`);
  return out;
}
