/**
 * Cache keys: for each op, sha256 over the canonical JSON of {format version, input keys, the op with
 * result-neutral fields blanked (ids, names, ranges, proxy env), the args it used, content digests}.
 * Keys are computed as far as the known digests allow, so callers can recompute as sources resolve.
 */
import { assertNever } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { formatPlatform } from '../oci/platform.js';
import { canonicalJson } from './canonical-json.js';
import type {
  BuildPlan,
  ContextHasher,
  CopyFrom,
  ExecMount,
  FileAction,
  MountFrom,
  Op,
  OpId,
} from './types.js';

/** The cache key format; part of every key document, so a new format never matches old keys. */
export const CACHE_KEY_VERSION = 'kiln.cache.v1';

/** Digests known so far. Missing ones leave the ops that need them (and their dependants) without a key. */
export interface CacheKeyInputs {
  /** Manifest digest of each image source op, by op id (`image:<ref>@<platform>`). */
  readonly imageDigests: ReadonlyMap<OpId, string>;
  /** Content digest of each context selection, by selection id (see `BuildPlan.contextSelections`). */
  readonly contextDigests: ReadonlyMap<string, string>;
  /** Content digest of HTTP / commit of Git sources without a checksum, by op id. */
  readonly remoteDigests?: ReadonlyMap<OpId, string>;
}

/** Thrown inside key computation when a digest is not known yet. */
const MISSING = Symbol('missing');

type Lookup = (id: OpId) => string;

function need(value: string | undefined): string {
  if (value === undefined) throw MISSING;
  return value;
}

function normalizeSource(op: Op & { kind: 'source' }, inputs: CacheKeyInputs): unknown {
  const s = op.source;
  switch (s.kind) {
    case 'scratch':
    case 'context':
      return { source: s.kind };
    case 'image':
      return {
        source: 'image',
        ref: s.ref,
        platform: formatPlatform(s.platform),
        digest: need(inputs.imageDigests.get(op.id)),
      };
    case 'http':
      return {
        source: 'http',
        url: s.url,
        filename: s.filename,
        content: s.checksum ?? need(inputs.remoteDigests?.get(op.id)),
      };
    case 'git':
      return {
        source: 'git',
        url: s.url,
        ref: s.ref,
        subdir: s.subdir,
        keepGitDir: s.keepGitDir,
        content: s.checksum ?? need(inputs.remoteDigests?.get(op.id)),
      };
    default:
      return assertNever(s, 'source');
  }
}

function mountFrom(from: MountFrom | undefined, key: Lookup, inputs: CacheKeyInputs): unknown {
  if (from === undefined) return undefined;
  return from.kind === 'op'
    ? { op: key(from.op) }
    : { context: need(inputs.contextDigests.get(from.selection)) };
}

function normalizeMount(m: ExecMount, key: Lookup, inputs: CacheKeyInputs): unknown {
  switch (m.type) {
    case 'bind':
      return { ...m, from: mountFrom(m.from, key, inputs) };
    case 'cache':
      return { ...m, from: mountFrom(m.from, key, inputs) };
    case 'tmpfs':
    case 'ssh':
    case 'inline':
      return m;
    case 'secret':
      // Only the secret's identity and placement: its value is never known to the plan.
      return {
        type: m.type,
        id: m.id,
        target: m.target,
        env: m.env,
        required: m.required,
        mode: m.mode,
        uid: m.uid,
        gid: m.gid,
      };
    default:
      return assertNever(m, 'mount');
  }
}

function copyFrom(from: CopyFrom, key: Lookup, inputs: CacheKeyInputs): unknown {
  switch (from.kind) {
    case 'op':
      return { op: key(from.op) };
    case 'context':
      return { context: need(inputs.contextDigests.get(from.selection)) };
    case 'inline':
      return { inline: from.file };
    default:
      return assertNever(from, 'copy source');
  }
}

function normalizeAction(a: FileAction, key: Lookup, inputs: CacheKeyInputs): unknown {
  return a.kind === 'copy' ? { ...a, from: copyFrom(a.from, key, inputs) } : a;
}

function normalizeOp(op: Op, key: Lookup, inputs: CacheKeyInputs): unknown {
  switch (op.kind) {
    case 'source':
      return normalizeSource(op, inputs);
    case 'exec':
      return {
        rootfs: key(op.rootfs),
        argv: op.argv,
        env: op.env,
        cwd: op.cwd,
        user: op.user,
        network: op.network,
        security: op.security,
        devices: op.devices,
        mounts: op.mounts.map((m) => normalizeMount(m, key, inputs)),
        // Set only by --add-host / --shm-size / --ulimit, so keys of builds without them are unchanged.
        ...(op.extraHosts === undefined ? {} : { extraHosts: op.extraHosts }),
        ...(op.shmSizeBytes === undefined ? {} : { shmSizeBytes: op.shmSizeBytes }),
        ...(op.ulimits === undefined ? {} : { ulimits: op.ulimits }),
      };
    case 'file':
      return {
        base: op.base === undefined ? null : key(op.base),
        actions: op.actions.map((a) => normalizeAction(a, key, inputs)),
      };
    case 'merge':
      return {};
    case 'meta':
      return { createdBy: op.createdBy };
    default:
      return assertNever(op, 'op');
  }
}

/**
 * The canonical JSON a key is the sha256 of, or undefined when a needed digest or input key is missing.
 * `keys` holds the keys of the op's inputs.
 */
export function cacheKeyDocument(
  op: Op,
  keys: ReadonlyMap<OpId, string>,
  inputs: CacheKeyInputs,
): string | undefined {
  const key: Lookup = (id) => need(keys.get(id));
  try {
    return canonicalJson({
      v: CACHE_KEY_VERSION,
      kind: op.kind,
      inputs: op.inputs.map(key),
      args: [...op.usedArgs]
        .filter((u) => u.inHistory)
        .map((u) => [u.name, u.value])
        .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
      op: normalizeOp(op, key, inputs),
    });
  } catch (error) {
    if (error === MISSING) return undefined;
    throw error;
  }
}

/** Keys (`sha256:…`) of every op whose inputs are known; ops waiting for a digest are absent. */
export function computeCacheKeys(plan: BuildPlan, inputs: CacheKeyInputs): ReadonlyMap<OpId, string> {
  const keys = new Map<OpId, string>();
  for (const op of plan.ops) {
    const doc = cacheKeyDocument(op, keys, inputs);
    if (doc !== undefined) keys.set(op.id, sha256Digest(doc));
  }
  return keys;
}

/** Digests every context selection of the plan with the injected hasher (in parallel). */
export async function digestContextSelections(
  plan: BuildPlan,
  hasher: ContextHasher,
  signal?: AbortSignal,
): Promise<ReadonlyMap<string, string>> {
  const entries = await Promise.all(
    plan.contextSelections.map(async (s) => [s.id, await hasher.digest(s, signal)] as const),
  );
  return new Map(entries);
}
