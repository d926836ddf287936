/**
 * What the re-executed kiln learns about the namespace it runs in. The parent passes it in one
 * environment variable, which also marks the process as "already inside" (no second re-exec).
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { IdMappingPlan, OwnershipKind } from './mappings.js';
import { mappedIdCount } from './mappings.js';

/** The environment variable carrying the namespace context into the re-executed process. */
export const USERNS_ENV = 'KILN_USERNS';

/** The namespace facts the rest of kiln consumes (snapshotter, executor, layer engine). */
export interface NamespaceContext {
  readonly kind: IdMappingPlan['kind'];
  readonly ownership: OwnershipKind;
  /** Number of uids/gids that exist inside (ids 0..n-1); Infinity-like 2^32 for real root. */
  readonly uidCount: number;
  readonly gidCount: number;
  /** Whether setgroups(2) is allowed (false in the single-id fallback). */
  readonly setgroups: boolean;
}

/** The context that entering with `plan` produces. */
export function contextForPlan(plan: IdMappingPlan): NamespaceContext {
  switch (plan.kind) {
    case 'root':
      return { kind: 'root', ownership: 'native', uidCount: 2 ** 32, gidCount: 2 ** 32, setgroups: true };
    case 'subordinate':
    case 'nested':
      return {
        kind: plan.kind,
        ownership: 'native',
        uidCount: mappedIdCount(plan.uidMap),
        gidCount: mappedIdCount(plan.gidMap),
        setgroups: true,
      };
    case 'single':
      return { kind: 'single', ownership: 'xattr', uidCount: 1, gidCount: 1, setgroups: false };
  }
}

/** Encodes a context for the environment variable. */
export function encodeContext(context: NamespaceContext): string {
  return JSON.stringify(context);
}

/** Reads the context from an environment, or undefined when kiln has not entered a namespace yet. */
export function contextFromEnv(env: NodeJS.ProcessEnv): NamespaceContext | undefined {
  const raw = env[USERNS_ENV];
  if (raw === undefined || raw === '') return undefined;
  try {
    const value = JSON.parse(raw) as Partial<NamespaceContext>;
    if (
      (value.kind === 'root' ||
        value.kind === 'subordinate' ||
        value.kind === 'nested' ||
        value.kind === 'single') &&
      (value.ownership === 'native' || value.ownership === 'xattr') &&
      typeof value.uidCount === 'number' &&
      typeof value.gidCount === 'number' &&
      typeof value.setgroups === 'boolean'
    ) {
      return value as NamespaceContext;
    }
  } catch {
    // fall through
  }
  throw new KilnError(ErrorCode.UserNamespace, `malformed ${USERNS_ENV} environment variable`, {
    hint: `unset ${USERNS_ENV}; kiln sets it itself when it enters its namespace`,
  });
}
