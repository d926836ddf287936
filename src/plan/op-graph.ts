/**
 * The op list being built by one `planBuild` call: ops in creation (= topological) order, shared
 * sources deduplicated (a base image used by several stages is one op), context selections collected.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { formatPlatform, type PlatformSpec } from '../oci/platform.js';
import { canonicalJson } from './canonical-json.js';
import type { ContextSelection, Op, OpId, SourceOp, SourceSpec } from './types.js';

/** The id of the source op for `spec` (stable across builds). */
export function sourceOpId(spec: SourceSpec): OpId {
  switch (spec.kind) {
    case 'scratch':
      return 'scratch';
    case 'context':
      return 'context';
    case 'image':
      return `image:${spec.ref}@${formatPlatform(spec.platform)}`;
    case 'http':
      return `http:${spec.url}${spec.checksum === undefined ? '' : `@${spec.checksum}`}`;
    case 'git':
      return `git:${canonicalJson(spec)}`;
    default: {
      const never: never = spec;
      throw new KilnError(ErrorCode.Internal, `unknown source ${JSON.stringify(never)}`);
    }
  }
}

function sourceName(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'scratch':
      return 'scratch';
    case 'context':
      return '[internal] load build context';
    case 'image':
      return `FROM ${spec.ref}`;
    case 'http':
      return `ADD ${spec.url}`;
    case 'git':
      return `ADD ${spec.url}`;
    default: {
      const never: never = spec;
      throw new KilnError(ErrorCode.Internal, `unknown source ${JSON.stringify(never)}`);
    }
  }
}

/** Mutable op collection owned by one planning call. */
export class OpGraph {
  readonly #ops: Op[] = [];
  readonly #ids = new Set<OpId>();
  readonly #selections = new Map<string, ContextSelection>();

  /** Adds an op; its inputs must already be present. */
  add<T extends Op>(op: T): T {
    if (this.#ids.has(op.id)) throw new KilnError(ErrorCode.Internal, `duplicate op id ${op.id}`);
    for (const input of op.inputs) {
      if (!this.#ids.has(input))
        throw new KilnError(ErrorCode.Internal, `op ${op.id} reads unknown ${input}`);
    }
    this.#ids.add(op.id);
    this.#ops.push(op);
    return op;
  }

  /** The source op for `spec`, created on first use. */
  source(spec: SourceSpec): OpId {
    const id = sourceOpId(spec);
    if (!this.#ids.has(id)) {
      const op: SourceOp = {
        kind: 'source',
        id,
        inputs: [],
        name: sourceName(spec),
        usedArgs: [],
        source: spec,
      };
      this.add(op);
    }
    return id;
  }

  image(ref: string, platform: PlatformSpec): OpId {
    return this.source({ kind: 'image', ref, platform });
  }

  /** Registers a context selection; returns its id. */
  selection(spec: Omit<ContextSelection, 'id'>): string {
    const body: Omit<ContextSelection, 'id'> = {
      patterns: [...spec.patterns],
      excludes: [...spec.excludes],
      parents: spec.parents,
      followSymlinks: spec.followSymlinks,
      allowEmptyWildcard: spec.allowEmptyWildcard,
    };
    const id = canonicalJson(body);
    if (!this.#selections.has(id)) this.#selections.set(id, { id, ...body });
    return id;
  }

  get ops(): readonly Op[] {
    return [...this.#ops];
  }

  get selections(): readonly ContextSelection[] {
    return [...this.#selections.values()];
  }
}
