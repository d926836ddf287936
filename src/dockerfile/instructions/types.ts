/**
 * Typed Dockerfile instructions: what `parseInstruction` makes of one AST node. Words are still
 * unexpanded here (variables, quotes); the stage resolver expands them where BuildKit does.
 */
import type { SourceRange } from '../../errors.js';

/** Fields every instruction carries. */
export interface InstructionBase {
  /** The keyword as written (`RUN`, `run`, `Run`), for casing checks and messages. */
  readonly keyword: string;
  /** The instruction text as written (continuations joined), without heredoc bodies. */
  readonly original: string;
  readonly range: SourceRange;
  /** Flag names given on the instruction, in order of first use (without `--`). */
  readonly flagsUsed: readonly string[];
  /** Source ranges of the flags by name (each occurrence, in order), when the parser recorded them. */
  readonly flagRanges?: Readonly<Record<string, readonly SourceRange[]>>;
}

/** A `key=value` (or legacy `key value`) pair of ENV / LABEL. */
export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
  /** True for the legacy `ENV key value` form (no `=`). */
  readonly legacy: boolean;
}

/** One `ARG name[=default]` entry. */
export interface ArgDeclaration {
  readonly key: string;
  /** The default as written (unexpanded); undefined when none was given. */
  readonly value?: string;
  /** Doc comment: a preceding comment line that starts with the name (name stripped), or ''. */
  readonly comment: string;
}

/** A heredoc body used as a file for RUN (`RUN <<EOF`). */
export interface ShellInlineFile {
  readonly name: string;
  /** The body, not yet chomped. */
  readonly data: string;
  /** `<<-`: strip leading tabs from each line when the file is used. */
  readonly chomp: boolean;
  /** False when the delimiter was quoted: the body is not expanded. */
  readonly expand: boolean;
}

/** The command of RUN / CMD / ENTRYPOINT / HEALTHCHECK CMD. */
export interface CommandLine {
  /** `shell`: one string to pass to the stage's SHELL; `exec`: argv (JSON form). */
  readonly form: 'shell' | 'exec';
  readonly args: readonly string[];
  readonly files: readonly ShellInlineFile[];
}

/** A heredoc used as an ADD/COPY source: the file's content is inline. */
export interface SourceContent {
  /** File name (the heredoc delimiter). */
  readonly path: string;
  /** Content, already chomped for `<<-`. */
  readonly data: string;
  readonly expand: boolean;
}

/** ADD/COPY operands. */
export interface SourcesAndDest {
  readonly sourcePaths: readonly string[];
  readonly sourceContents: readonly SourceContent[];
  readonly destPath: string;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

/** `RUN --mount=type=bind`: a read-only (by default) view of the context or another stage/image. */
export interface BindMount {
  readonly type: 'bind';
  readonly target: string;
  /** Path in the source; '/' by default. */
  readonly source: string;
  /** Stage name/index or image; undefined for the build context. */
  readonly from?: string;
  readonly readOnly: boolean;
}

/** `RUN --mount=type=cache`: a persistent cache directory. */
export interface CacheMount {
  readonly type: 'cache';
  readonly target: string;
  /** Cache id; the target by default. */
  readonly id: string;
  readonly sharing: CacheSharing;
  readonly from?: string;
  readonly source?: string;
  readonly readOnly: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** `RUN --mount=type=tmpfs`. */
export interface TmpfsMount {
  readonly type: 'tmpfs';
  readonly target: string;
  /** Size limit in bytes; undefined for no limit. */
  readonly sizeBytes?: number;
}

/** `RUN --mount=type=secret`: a build secret as a file and/or an environment variable. */
export interface SecretMount {
  readonly type: 'secret';
  readonly id: string;
  /** File path; `/run/secrets/<id>` by default unless only `env` was given. */
  readonly target?: string;
  /** Environment variable to expose the secret as. */
  readonly env?: string;
  readonly required: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** `RUN --mount=type=ssh`: an SSH agent socket. */
export interface SshMount {
  readonly type: 'ssh';
  /** Agent id; `default` by default. */
  readonly id: string;
  /** Socket path; `/run/buildkit/ssh_agent.<n>` by default. */
  readonly target: string;
  readonly required: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export type RunMount = BindMount | CacheMount | TmpfsMount | SecretMount | SshMount;

export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'sandbox' | 'insecure';

/** `RUN --device=name[,required]`. */
export interface RunDevice {
  readonly name: string;
  readonly required: boolean;
}

/** HEALTHCHECK settings; durations in nanoseconds (as the image config stores them), 0 = inherit. */
export type HealthcheckSpec =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'cmd';
      /** `['CMD', ...argv]` (exec form) or `['CMD-SHELL', command]`. */
      readonly test: readonly string[];
      readonly intervalNs: number;
      readonly timeoutNs: number;
      readonly startPeriodNs: number;
      readonly startIntervalNs: number;
      readonly retries: number;
    };

export interface FromInstruction extends InstructionBase {
  readonly kind: 'from';
  /** Base image or stage reference, unexpanded. */
  readonly baseName: string;
  /** Stage name, lowercased; undefined without `AS`. */
  readonly stageName?: string;
  /** Stage name as written (for the casing check). */
  readonly stageNameAsWritten?: string;
  /** The `AS` keyword as written. */
  readonly asKeyword?: string;
  /** `--platform` value, unexpanded. */
  readonly platform?: string;
  /** Doc comment (`# <name> ...` right above). */
  readonly comment: string;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: 'run';
  readonly command: CommandLine;
  /** Mounts as parsed before expansion (values with `$` are validated again after expansion). */
  readonly mounts: readonly RunMount[];
  /** The raw `--mount` values. */
  readonly mountSpecs: readonly string[];
  readonly network?: NetworkMode;
  readonly security?: SecurityMode;
  readonly devices: readonly RunDevice[];
}

export interface CmdInstruction extends InstructionBase {
  readonly kind: 'cmd';
  readonly command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  readonly kind: 'entrypoint';
  readonly command: CommandLine;
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: 'label';
  readonly labels: readonly KeyValuePair[];
}

export interface MaintainerInstruction extends InstructionBase {
  readonly kind: 'maintainer';
  readonly maintainer: string;
}

export interface ExposeInstruction extends InstructionBase {
  readonly kind: 'expose';
  /** Port words, unexpanded, sorted (as BuildKit keeps them). */
  readonly ports: readonly string[];
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: 'env';
  readonly env: readonly KeyValuePair[];
}

/** What ADD and COPY share: operands, ownership and mode, `--link`, `--exclude`. */
export interface CopyLikeFields extends InstructionBase {
  readonly sources: SourcesAndDest;
  readonly chown?: string;
  /** Octal (`0755`) or symbolic (`u=rwx,go=rx`) mode. */
  readonly chmod?: string;
  readonly link: boolean;
  readonly exclude: readonly string[];
}

export interface AddInstruction extends CopyLikeFields {
  readonly kind: 'add';
  readonly keepGitDir: boolean;
  /** A content digest for HTTP(S) sources, a commit for Git sources. */
  readonly checksum?: string;
  /** `--unpack`: undefined = default (unpack local archives, not remote ones). */
  readonly unpack?: boolean;
}

export interface CopyInstruction extends CopyLikeFields {
  readonly kind: 'copy';
  /** Stage name/index or image; undefined for the build context. */
  readonly from?: string;
  readonly parents: boolean;
}

export interface VolumeInstruction extends InstructionBase {
  readonly kind: 'volume';
  readonly volumes: readonly string[];
}

export interface UserInstruction extends InstructionBase {
  readonly kind: 'user';
  readonly user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: 'workdir';
  readonly path: string;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: 'arg';
  readonly args: readonly ArgDeclaration[];
}

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: 'onbuild';
  /** Uppercased trigger keyword, e.g. `RUN`. */
  readonly trigger: string;
  /** The trigger's text (with heredoc bodies appended), stored verbatim in the image config. */
  readonly expression: string;
}

export interface StopsignalInstruction extends InstructionBase {
  readonly kind: 'stopsignal';
  readonly signal: string;
}

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: 'healthcheck';
  readonly health: HealthcheckSpec;
}

export interface ShellInstruction extends InstructionBase {
  readonly kind: 'shell';
  readonly shell: readonly string[];
}

/** Every typed instruction, tagged by `kind` (the lowercase keyword). */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | LabelInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | EnvInstruction
  | AddInstruction
  | CopyInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction['kind'];

/** Instructions that may follow FROM inside a stage. */
export type StageCommand = Exclude<Instruction, FromInstruction>;

/** The instruction keywords, lowercase. */
export const INSTRUCTION_KINDS: readonly InstructionKind[] = [
  'from',
  'run',
  'cmd',
  'entrypoint',
  'label',
  'maintainer',
  'expose',
  'env',
  'add',
  'copy',
  'volume',
  'user',
  'workdir',
  'arg',
  'onbuild',
  'stopsignal',
  'healthcheck',
  'shell',
];
