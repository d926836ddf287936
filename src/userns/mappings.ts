/**
 * Planning the id mappings of kiln's user namespace: the invoking user becomes root (0) inside, and the
 * subordinate ranges follow as 1..N. This is a pure function of the identity.
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { Identity, IdMapEntry } from './identity.js';
import { type IdRange, rangeTotal } from './subid.js';

export type { IdMapEntry } from './identity.js';

/**
 * How file ownership other than "root" is represented on disk:
 * - `native`: chown works (real root, or a full subordinate range), layers keep real uids/gids;
 * - `xattr`: only one id is mapped, so ownership must be recorded beside the files (the layer engine
 *   stores it in an extended attribute and applies it when writing tars).
 */
export type OwnershipKind = 'native' | 'xattr';

/** The strategy value chosen once at start: how (and whether) kiln enters a user namespace. */
export type IdMappingPlan =
  | {
      /** Real root: no user namespace; only a private mount namespace. */
      readonly kind: 'root';
      readonly ownership: 'native';
      readonly warnings: readonly string[];
    }
  | {
      /** Unprivileged with subordinate ranges: user → 0, ranges → 1..N, applied with newuidmap/newgidmap. */
      readonly kind: 'subordinate';
      readonly uidMap: readonly IdMapEntry[];
      readonly gidMap: readonly IdMapEntry[];
      readonly ownership: 'native';
      readonly warnings: readonly string[];
    }
  | {
      /**
       * Root of a user namespace that is not the initial one (e.g. inside a rootless podman/Kubernetes
       * container): a nested namespace maps every id of the current one to itself, written directly.
       */
      readonly kind: 'nested';
      readonly uidMap: readonly IdMapEntry[];
      readonly gidMap: readonly IdMapEntry[];
      readonly ownership: 'native';
      readonly warnings: readonly string[];
    }
  | {
      /** Unprivileged without ranges: only the user itself is mapped (to 0). */
      readonly kind: 'single';
      readonly uidMap: readonly IdMapEntry[];
      readonly gidMap: readonly IdMapEntry[];
      readonly ownership: 'xattr';
      readonly warnings: readonly string[];
    };

export interface PlanIdMappingsOptions {
  /**
   * The smallest number of subordinate ids accepted (default 65536, so that ids up to 65536 — incl.
   * `nobody` 65534 — exist inside). A smaller, non-empty range is an E_USERNS error.
   */
  readonly minimumIds?: number;
  /** Accept the single-id fallback when there are no ranges at all (default true). */
  readonly allowSingleId?: boolean;
}

/** The default minimum size of the subordinate ranges. */
export const DEFAULT_MINIMUM_IDS = 65536;

function stack(own: number, ranges: readonly IdRange[]): IdMapEntry[] {
  const out: IdMapEntry[] = [{ inside: 0, outside: own, count: 1 }];
  let next = 1;
  for (const range of ranges) {
    out.push({ inside: next, outside: range.start, count: range.count });
    next += range.count;
  }
  return out;
}

function checkOverlaps(kind: 'uid' | 'gid', own: number, ranges: readonly IdRange[]): void {
  const sorted = [{ start: own, count: 1 }, ...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.start < prev.start + prev.count) {
      throw new KilnError(
        ErrorCode.UserNamespace,
        `subordinate ${kind} ranges overlap (${prev.start}+${prev.count} and ${cur.start}+${cur.count}, own ${kind} ${own})`,
        { hint: `fix /etc/sub${kind} so that the ranges are disjoint and do not contain your own ${kind}` },
      );
    }
  }
}

/** Plans the user namespace for an identity; throws E_USERNS when the ranges are unusable. */
export function planIdMappings(identity: Identity, options: PlanIdMappingsOptions = {}): IdMappingPlan {
  if (identity.uid === 0) {
    if (identity.uidMap === undefined || isInitialNamespace(identity.uidMap)) {
      return { kind: 'root', ownership: 'native', warnings: identity.warnings };
    }
    const same = (m: readonly IdMapEntry[]) =>
      m.map((e) => ({ inside: e.inside, outside: e.inside, count: e.count }));
    return {
      kind: 'nested',
      uidMap: same(identity.uidMap),
      gidMap: same(identity.gidMap ?? identity.uidMap),
      ownership: 'native',
      warnings: identity.warnings,
    };
  }
  const minimum = options.minimumIds ?? DEFAULT_MINIMUM_IDS;
  const who = identity.username ?? String(identity.uid);
  const uidTotal = rangeTotal(identity.subuids);
  const gidTotal = rangeTotal(identity.subgids);
  if (uidTotal === 0 && gidTotal === 0) {
    if (options.allowSingleId === false) {
      throw new KilnError(ErrorCode.UserNamespace, `user ${who} has no subordinate uid/gid ranges`, {
        hint: `add ranges, e.g. as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who}`,
      });
    }
    return {
      kind: 'single',
      uidMap: [{ inside: 0, outside: identity.uid, count: 1 }],
      gidMap: [{ inside: 0, outside: identity.gid, count: 1 }],
      ownership: 'xattr',
      warnings: [
        ...identity.warnings,
        `user ${who} has no subordinate ids in /etc/subuid and /etc/subgid: only uid/gid 0 exist inside the ` +
          'build, RUN steps cannot switch users, and file ownership (RUN chown too, through kiln-idshift) is ' +
          'recorded in xattrs; see docs/single-id.md',
      ],
    };
  }
  for (const [kind, total] of [
    ['uid', uidTotal],
    ['gid', gidTotal],
  ] as const) {
    if (total < minimum) {
      throw new KilnError(
        ErrorCode.UserNamespace,
        `user ${who} owns ${total} subordinate ${kind}s; at least ${minimum} are needed`,
        {
          hint: `give ${who} a larger range in /etc/sub${kind} (e.g. usermod --add-sub${kind}s 100000-165535 ${who})`,
        },
      );
    }
  }
  checkOverlaps('uid', identity.uid, identity.subuids);
  checkOverlaps('gid', identity.gid, identity.subgids);
  return {
    kind: 'subordinate',
    uidMap: stack(identity.uid, identity.subuids),
    gidMap: stack(identity.gid, identity.subgids),
    ownership: 'native',
    warnings: identity.warnings,
  };
}

/** Arguments for newuidmap/newgidmap after the pid: `inside outside count ...`. */
export function mapArguments(entries: readonly IdMapEntry[]): string[] {
  return entries.flatMap((e) => [String(e.inside), String(e.outside), String(e.count)]);
}

/** The highest id that exists inside the namespace, +1. */
export function mappedIdCount(entries: readonly IdMapEntry[]): number {
  return entries.reduce((max, e) => Math.max(max, e.inside + e.count), 0);
}

/** The initial user namespace maps all 2^32-1 ids to themselves. */
export function isInitialNamespace(map: readonly IdMapEntry[]): boolean {
  return map.length === 1 && map[0]!.inside === 0 && map[0]!.outside === 0 && map[0]!.count === 4294967295;
}
