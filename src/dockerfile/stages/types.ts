/**
 * Stages, build arguments and the resolved (expanded) form of a Dockerfile.
 */
import type { SourceRange } from '../../errors.js';
import type { PlatformSpec } from '../../oci/platform.js';
import type { ArgInstruction, FromInstruction, Instruction, StageCommand } from '../instructions/types.js';

/** An OCI platform as the build options give it (the OCI model's normalised form). */
export type { PlatformSpec };

/** One build stage, typed but unexpanded. */
export interface Stage {
  /** 0-based position in the Dockerfile. */
  readonly index: number;
  /** Lowercased `AS` name, if any. */
  readonly name?: string;
  readonly from: FromInstruction;
  readonly commands: readonly StageCommand[];
  /** Doc comment of the FROM line (see the doc_comments conformance case). */
  readonly comment: string;
  /** From the FROM line to the stage's last instruction. */
  readonly range: SourceRange;
}

/** `parseStages` output: ARGs before the first FROM, then the stages. */
export interface DockerfileStages {
  readonly metaArgs: readonly ArgInstruction[];
  readonly stages: readonly Stage[];
}

/** One build argument an instruction used, for cache keys and history. */
export interface BuildArgUse {
  readonly name: string;
  readonly value: string;
  /** False for proxy args: their values never go into history or cache keys of the image. */
  readonly inHistory: boolean;
}

/** What a stage is built on. */
export type StageBase =
  | { readonly kind: 'scratch' }
  | { readonly kind: 'image'; readonly ref: string }
  | { readonly kind: 'stage'; readonly index: number };

/** Where a COPY --from / RUN --mount from= points. */
export type SourceReference =
  | { readonly kind: 'context' }
  | { readonly kind: 'image'; readonly ref: string }
  | { readonly kind: 'stage'; readonly index: number };

/**
 * An instruction after expansion: words replaced by their expanded values (same shape as the typed
 * instruction; EXPOSE ports become `<port>/<proto>` keys, RUN mounts are re-parsed from expanded values).
 */
export interface ResolvedInstruction {
  readonly instruction: Instruction;
  /** Build args this instruction depends on (expanded into words, or for RUN: in its environment). */
  readonly buildArgs: readonly BuildArgUse[];
  /** COPY --from / RUN --mount from= targets, in order. */
  readonly sources: readonly SourceReference[];
  /** True for an ONBUILD trigger of the base stage, run before the stage's own instructions. */
  readonly onbuild: boolean;
}

/** A stage after expansion. */
export interface ResolvedStage {
  readonly index: number;
  readonly name?: string;
  /** `name` or `stage-<index>`, as messages call it. */
  readonly displayName: string;
  /** Expanded base name. */
  readonly baseName: string;
  readonly base: StageBase;
  /** Expanded `--platform`, if given. */
  readonly platform?: string;
  readonly from: FromInstruction;
  readonly instructions: readonly ResolvedInstruction[];
  /** Build args the FROM line used. */
  readonly fromBuildArgs: readonly BuildArgUse[];
  /** Stage indexes this stage needs (base stage, COPY --from, mounts), sorted, without duplicates. */
  readonly dependsOn: readonly number[];
  /** ENV values at the end of the stage (inherited by stages built FROM it). */
  readonly env: Readonly<Record<string, string>>;
  readonly comment: string;
  readonly range: SourceRange;
}

/** The value of a meta ARG (declared before the first FROM). */
export interface MetaArg {
  readonly key: string;
  /** Undefined when declared without a default and not given with --build-arg. */
  readonly value?: string;
  readonly comment: string;
}
