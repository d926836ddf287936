/**
 * The build plan: a DAG of ops (source | exec | file | merge | meta) computed from resolved stages,
 * plus the image config and history each planned stage ends with. Pure data, readonly, JSON-friendly.
 */

import type {
  CacheSharing,
  NetworkMode,
  RunDevice,
  SecretMount,
  SecurityMode,
  SshMount,
  TmpfsMount,
} from '../dockerfile/instructions/types.js';
import type { BuildArgUse, StageBase } from '../dockerfile/stages/types.js';
import type { SourceRange } from '../errors.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { History, ImageConfig } from '../oci/types.js';

/** Stable, readable op identifier (`scratch`, `context`, `image:alpine@linux/amd64`, `s1.3`, ...). */
export type OpId = string;

/** What a `source` op brings in. */
export type SourceSpec =
  | { readonly kind: 'scratch' }
  /** The main build context (content is hashed per selection, see `ContextSelection`). */
  | { readonly kind: 'context' }
  | { readonly kind: 'image'; readonly ref: string; readonly platform: PlatformSpec }
  /** `ADD <url>`: one file named `filename`; `checksum` pins the content. */
  | { readonly kind: 'http'; readonly url: string; readonly filename: string; readonly checksum?: string }
  /** `ADD <git url>`: a checkout of `ref` (default branch when absent). */
  | {
      readonly kind: 'git';
      readonly url: string;
      readonly ref?: string;
      readonly subdir?: string;
      readonly keepGitDir: boolean;
      readonly checksum?: string;
    };

/** Fields every op carries. `inputs` lists every op this one reads, in a fixed order. */
export interface OpBase {
  readonly id: OpId;
  readonly inputs: readonly OpId[];
  /** The stage the op belongs to; undefined for sources shared by the whole build. */
  readonly stage?: number;
  /** Progress name, as BuildKit prints it (`[build 2/4] RUN make`). Never part of a cache key. */
  readonly name: string;
  /** The Dockerfile range of the instruction that made the op. Never part of a cache key. */
  readonly range?: SourceRange;
  /** Build args (not proxies) the instruction used: expanded into its words or present in its environment. */
  readonly usedArgs: readonly BuildArgUse[];
}

export interface SourceOp extends OpBase {
  readonly kind: 'source';
  readonly source: SourceSpec;
}

/** A file written into a read-only mount (RUN heredoc with a shebang). */
export interface InlineFile {
  readonly path: string;
  readonly data: string;
  readonly mode: number;
}

/** Where a bind or cache mount takes its content from. */
export type MountFrom =
  | { readonly kind: 'context'; readonly selection: string }
  | { readonly kind: 'op'; readonly op: OpId };

/** RUN mounts after planning: targets absolute, sources pointing at ops or context selections. */
export type ExecMount =
  | {
      readonly type: 'bind';
      readonly target: string;
      readonly from: MountFrom;
      readonly sourcePath: string;
      readonly readOnly: boolean;
    }
  | {
      readonly type: 'cache';
      readonly target: string;
      readonly id: string;
      readonly sharing: CacheSharing;
      /** Initial content; an empty directory (mode/uid/gid) when absent. */
      readonly from?: MountFrom;
      readonly sourcePath?: string;
      readonly readOnly: boolean;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
    }
  /** tmpfs, secret and ssh mounts need no planning beyond the front end's typed form. */
  | TmpfsMount
  | SecretMount
  | SshMount
  /** Read-only files made by the planner (heredoc scripts), mounted at `target`. */
  | { readonly type: 'inline'; readonly target: string; readonly files: readonly InlineFile[] };

/** RUN: a process in the root filesystem `rootfs`. */
/** `--add-host host:ip`: one extra /etc/hosts entry of every RUN step. */
export interface ExtraHost {
  readonly host: string;
  readonly ip: string;
}

/** `--ulimit name=soft:hard`: a resource limit of every RUN step (`name` as docker spells it: `nofile`…). */
export interface Ulimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

/**
 * Build-wide settings of every RUN step (`--add-host`, `--shm-size`, `--ulimit`), as in BuildKit's exec op meta:
 * part of the cache key when set.
 */
export interface ExecSettings {
  readonly extraHosts?: readonly ExtraHost[];
  /** Size of /dev/shm in bytes (default 64 MiB). */
  readonly shmSizeBytes?: number;
  readonly ulimits?: readonly Ulimit[];
}

export interface ExecOp extends OpBase, ExecSettings {
  readonly kind: 'exec';
  readonly rootfs: OpId;
  readonly argv: readonly string[];
  /** `KEY=value` in the order BuildKit's state keeps them (image env, then ARG/ENV changes). */
  readonly env: readonly string[];
  readonly cwd: string;
  /** `user[:group]`; '' = root. */
  readonly user: string;
  readonly network: NetworkMode;
  readonly security: SecurityMode;
  readonly devices: readonly RunDevice[];
  readonly mounts: readonly ExecMount[];
  /** Proxy variables passed to the process; never recorded in history nor in cache keys. */
  readonly proxyEnv: Readonly<Record<string, string>>;
}

/** Where one copy action reads from. */
export type CopyFrom =
  | { readonly kind: 'context'; readonly selection: string }
  | { readonly kind: 'op'; readonly op: OpId }
  | { readonly kind: 'inline'; readonly file: InlineFile };

/** One source of COPY/ADD (BuildKit makes one copy action per source). */
export interface CopyAction {
  readonly kind: 'copy';
  readonly from: CopyFrom;
  /** Absolute path in the source (cleaned); for `--parents` the pivot directory. */
  readonly source: string;
  /** Absolute destination; a trailing `/` means "into this directory". */
  readonly dest: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly exclude: readonly string[];
  /** `--parents`: include patterns below `source` whose parent directories are recreated. */
  readonly includePatterns: readonly string[];
  readonly requiredPaths: readonly string[];
  readonly unpack: boolean;
  readonly followSymlinks: boolean;
  readonly copyDirContentsOnly: boolean;
  readonly allowWildcard: boolean;
  readonly createDestPath: boolean;
  /** ISO time for the copied files (SOURCE_DATE_EPOCH). */
  readonly createdTime?: string;
}

/** WORKDIR: make the directory (with parents) as the current user. */
export interface MkdirAction {
  readonly kind: 'mkdir';
  readonly path: string;
  readonly mode: number;
  readonly parents: boolean;
  readonly user?: string;
  readonly createdTime?: string;
}

export type FileAction = CopyAction | MkdirAction;

/** COPY / ADD / WORKDIR: file actions applied on `base` (scratch when undefined: `--link`). */
export interface FileOp extends OpBase {
  readonly kind: 'file';
  readonly base?: OpId;
  readonly actions: readonly FileAction[];
}

/** `COPY --link`: layers stacked without reading the lower one. `inputs` = [lower, upper]. */
export interface MergeOp extends OpBase {
  readonly kind: 'merge';
}

/** A config-only instruction (ENV, LABEL, CMD...). Orders after `inputs[0]`; no filesystem change. */
export interface MetaOp extends OpBase {
  readonly kind: 'meta';
  readonly instruction: string;
  /** The history text (also the op's identity for cache purposes). */
  readonly createdBy: string;
}

export type Op = SourceOp | ExecOp | FileOp | MergeOp | MetaOp;
export type OpKind = Op['kind'];

/**
 * Part of the build context whose content one op reads; the context hasher digests it. The fields
 * are the arguments of the context module's `resolveSources(context, patterns, options)`.
 */
export interface ContextSelection {
  /** Canonical identity of the selection (same selection → same id). */
  readonly id: string;
  /** Source patterns as written (expanded), context-relative; `/./` marks the `--parents` pivot. */
  readonly patterns: readonly string[];
  readonly excludes: readonly string[];
  readonly parents: boolean;
  readonly followSymlinks: boolean;
  readonly allowEmptyWildcard: boolean;
}

/** One instruction of a planned stage, in execution order (ONBUILD triggers first). */
export interface PlanStep {
  readonly instruction: string;
  /** The op the step made (for config-only steps: its meta op). */
  readonly op: OpId;
  readonly onbuild: boolean;
  /** The history entry; undefined for instructions BuildKit does not record (ONBUILD). */
  readonly history?: History;
}

/** One stage of the plan. */
export interface StagePlan {
  readonly index: number;
  readonly name?: string;
  readonly displayName: string;
  readonly base: StageBase;
  readonly platform: PlatformSpec;
  /** The op the stage starts from (scratch, an image source, or the base stage's result). */
  readonly baseOp: OpId;
  /** The op holding the stage's final filesystem. */
  readonly result: OpId;
  readonly steps: readonly PlanStep[];
  /** The stage's image: base config evolved by its instructions, full history (base history first). */
  readonly image: ImageConfig;
  /**
   * The ops whose diffs are the layers this build adds (one per non-empty history entry this build
   * added, base-stage layers first). The exporter appends their diff ids to `image.rootfs.diff_ids`.
   */
  readonly layerOps: readonly OpId[];
}

/** The whole plan for one target. */
export interface BuildPlan {
  readonly version: 'kiln.plan.v1';
  /** Every op, inputs before the ops that read them. */
  readonly ops: readonly Op[];
  /** Planned stages (only those the target needs), in Dockerfile order. */
  readonly stages: readonly StagePlan[];
  readonly target: number;
  /** The final filesystem of the target. */
  readonly result: OpId;
  /** The target image (with `--label` overrides). */
  readonly image: ImageConfig;
  readonly layerOps: readonly OpId[];
  /** Context selections the file/exec ops read, to be digested before keys can be computed. */
  readonly contextSelections: readonly ContextSelection[];
}

/** Injected by the build-context module: digests what a selection of the context contains. */
export interface ContextHasher {
  digest(selection: ContextSelection, signal?: AbortSignal): Promise<string>;
}
