/**
 * The final image config: the planned config (base history + this build's entries) with the layers
 * the build made. Pure.
 *
 * The build's non-empty history entries follow the base image's layers in order and pair with the
 * plan's `layerOps`. A layer op whose diff came out empty adds no layer: its entry becomes
 * `empty_layer`. Without SOURCE_DATE_EPOCH, entries with a layer take the layer's creation time and
 * the image's `created` is the newest of them, as BuildKit does, so a fully cached rebuild produces
 * the same config (and image digest).
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { History, ImageConfig } from '../oci/types.js';

/** The layer of one plan layer op. */
export interface BuiltLayer {
  readonly diffID: Digest;
  readonly emptyLayer: boolean;
  readonly createdAt: string;
}

/** Go's RFC 3339 rendering of an ISO time (fractional zeros trimmed). */
function goTime(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

/** Config of the built image: `planned` plus `layers` (one per plan layer op, in order). */
export function finalImageConfig(planned: ImageConfig, layers: readonly BuiltLayer[]): ImageConfig {
  // The last `layers.length` non-empty entries are this build's (base histories may be incomplete).
  const allNonEmpty = (planned.history ?? []).filter((h) => h.empty_layer !== true).length;
  const baseLayers = allNonEmpty - layers.length;
  if (baseLayers < 0) {
    throw new KilnError(ErrorCode.Internal, 'the plan has more layer ops than layer history entries');
  }
  const keepTimes = planned.created !== undefined;
  const history: History[] = [];
  const diffIDs: Digest[] = [...planned.rootfs.diff_ids];
  let nonEmpty = 0;
  let next = 0;
  for (const entry of planned.history ?? []) {
    if (entry.empty_layer === true) {
      history.push(entry);
      continue;
    }
    nonEmpty += 1;
    if (nonEmpty <= baseLayers) {
      history.push(entry);
      continue;
    }
    const layer = layers[next];
    next += 1;
    if (layer === undefined) {
      throw new KilnError(ErrorCode.Internal, 'the plan has more layer history entries than layer ops');
    }
    if (layer.emptyLayer) {
      history.push({ ...entry, empty_layer: true });
      continue;
    }
    diffIDs.push(layer.diffID);
    history.push(keepTimes ? entry : { ...entry, created: goTime(layer.createdAt) });
  }
  if (next !== layers.length) {
    throw new KilnError(
      ErrorCode.Internal,
      `the plan has ${layers.length} layer ops but ${next} layer history entries`,
    );
  }
  let created = planned.created;
  if (!keepTimes) {
    let newest: number | undefined;
    for (const h of history) {
      const t = h.created === undefined ? Number.NaN : Date.parse(h.created);
      if (!Number.isNaN(t) && (newest === undefined || t > newest)) {
        newest = t;
        created = h.created;
      }
    }
  }
  const { created: _drop, ...rest } = planned;
  return {
    ...(created === undefined ? {} : { created }),
    ...rest,
    rootfs: { type: 'layers', diff_ids: diffIDs },
    history,
  };
}
