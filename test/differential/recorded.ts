/**
 * The recorded buildah result of a case (`corpus/<name>/buildah.json`): buildah's raw canonical config
 * and its file tree as changes against the base image, so the record does not depend on the host's
 * busybox binary. Re-record with `KILN_DIFF_RECORD=1` (see README.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CorpusCase } from './corpus.js';
import type { CanonicalConfig } from './image-config.js';
import { type NormalisedImage, type TreeDelta, treeDelta } from './normalise.js';
import type { TreeEntry } from './tree-walk.js';

/** The stored form. */
export interface RecordedResult {
  readonly buildah: string;
  readonly config: CanonicalConfig;
  readonly delta: TreeDelta;
}

const FILE = 'buildah.json';

/** The record of a case, if there is one. */
export async function readRecorded(corpusCase: CorpusCase): Promise<RecordedResult | undefined> {
  const text = await readFile(join(corpusCase.dir, FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as RecordedResult);
}

/** The record of `image` built on `base`. */
export function toRecorded(
  buildahVersion: string,
  base: readonly TreeEntry[],
  image: NormalisedImage,
): RecordedResult {
  return { buildah: buildahVersion, config: image.config, delta: treeDelta(base, image.tree) };
}

/** Writes the record of a case. */
export async function writeRecorded(corpusCase: CorpusCase, record: RecordedResult): Promise<void> {
  await writeFile(join(corpusCase.dir, FILE), `${JSON.stringify(record, null, 1)}\n`);
}

/** The full image a record stands for, given the base tree. */
export function fromRecorded(base: readonly TreeEntry[], record: RecordedResult): NormalisedImage {
  const removed = new Set(record.delta.removed);
  const changed = new Map(record.delta.changed.map((e) => [e.path, e]));
  const tree = base.filter((e) => !removed.has(e.path) && !changed.has(e.path));
  tree.push(...record.delta.changed);
  tree.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { config: record.config, tree };
}
