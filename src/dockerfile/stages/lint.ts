/**
 * Static build checks over the typed and resolved stages (BuildKit's linter rules that need no image data).
 */
import { ErrorCode, KilnError } from '../../errors.js';
import type { ArgInstruction, Instruction } from '../instructions/types.js';
import { CheckRule, type Finding, isSecretName, Messages } from './diagnostics.js';
import type { ResolvedStage, Stage } from './types.js';

const RESERVED_STAGE_NAMES = ['context', 'scratch'];
const ONCE_PER_STAGE = ['cmd', 'entrypoint', 'healthcheck'] as const;

/** The stage's own instructions (inherited ONBUILD triggers are checked where they are written). */
function ownInstructions(stage: ResolvedStage): Instruction[] {
  return stage.instructions.filter((i) => !i.onbuild).map((i) => i.instruction);
}

function isSelfConsistent(word: string): boolean {
  return word === word.toLowerCase() || word === word.toUpperCase();
}

/** Throws E_STAGE (DuplicateStageName) when two stages share a name: references to it would be ambiguous. */
export function checkDuplicateStageNames(stages: readonly Pick<Stage, 'from'>[], file: string): void {
  const seen = new Set<string>();
  for (const { from } of stages) {
    if (from.stageName === undefined) continue;
    if (seen.has(from.stageName)) {
      throw new KilnError(
        ErrorCode.Stage,
        `Duplicate stage name ${JSON.stringify(from.stageName)}, stage names should be unique`,
        { location: { file, range: from.range }, hint: 'DuplicateStageName' },
      );
    }
    seen.add(from.stageName);
  }
}

function stageNameChecks(stages: readonly ResolvedStage[], findings: Finding[]): void {
  for (const stage of stages) {
    const from = stage.from;
    if (from.stageName === undefined) continue;
    if (RESERVED_STAGE_NAMES.includes(from.stageName)) {
      findings.push({
        code: CheckRule.ReservedStageName,
        message: Messages.reservedStageName(from.stageName),
        range: from.range,
      });
    }
    const written = from.stageNameAsWritten ?? from.stageName;
    if (written !== written.toLowerCase()) {
      findings.push({
        code: CheckRule.StageNameCasing,
        message: Messages.stageNameCasing(written),
        range: from.range,
      });
    }
    const as = from.asKeyword;
    if (as !== undefined) {
      const fromLower = from.keyword === from.keyword.toLowerCase();
      const fromUpper = from.keyword === from.keyword.toUpperCase();
      if ((fromLower && as !== as.toLowerCase()) || (fromUpper && as !== as.toUpperCase())) {
        findings.push({
          code: CheckRule.FromAsCasing,
          message: Messages.fromAsCasing(as, from.keyword),
          range: from.range,
        });
      }
    }
  }
}

function casingChecks(stages: readonly ResolvedStage[], findings: Finding[]): void {
  const all: Instruction[] = stages.flatMap((s) => [s.from, ...ownInstructions(s)]);
  let lower = 0;
  let upper = 0;
  for (const i of all) {
    if (!isSelfConsistent(i.keyword)) continue;
    if (i.keyword === i.keyword.toLowerCase()) lower += 1;
    else upper += 1;
  }
  const majorityLower = lower > upper;
  for (const i of all) {
    const wrong = majorityLower
      ? i.keyword !== i.keyword.toLowerCase()
      : i.keyword !== i.keyword.toUpperCase();
    if (wrong) {
      findings.push({
        code: CheckRule.ConsistentInstructionCasing,
        message: Messages.consistentInstructionCasing(i.keyword, majorityLower ? 'lowercase' : 'uppercase'),
        range: i.range,
      });
    }
  }
}

function secretChecks(instruction: Instruction, findings: Finding[]): void {
  const keys =
    instruction.kind === 'arg'
      ? instruction.args.map((a) => a.key)
      : instruction.kind === 'env'
        ? instruction.env.map((e) => e.key)
        : [];
  for (const key of keys) {
    if (isSecretName(key)) {
      findings.push({
        code: CheckRule.SecretsUsedInArgOrEnv,
        message: Messages.secretsUsedInArgOrEnv(instruction.kind.toUpperCase(), key),
        range: instruction.range,
      });
    }
  }
}

/**
 * True when a stage's base stage chain has an instruction of `kind`: a SHELL there means the image config
 * has a shell (no JSONArgsRecommended); a WORKDIR there means the working directory was set (BuildKit
 * carries `workdirSet` over from the base stage, so a relative WORKDIR is not reported).
 */
function baseChainHas(
  stages: readonly ResolvedStage[],
  stage: ResolvedStage,
  kind: 'shell' | 'workdir',
): boolean {
  const seen = new Set<number>();
  let base = stage.base.kind === 'stage' ? stages[stage.base.index] : undefined;
  while (base !== undefined && !seen.has(base.index)) {
    seen.add(base.index);
    if (base.instructions.some((i) => i.instruction.kind === kind)) return true;
    base = base.base.kind === 'stage' ? stages[base.base.index] : undefined;
  }
  return false;
}

interface Inherited {
  readonly shellSet: boolean;
  readonly workdirSet: boolean;
}

function stageChecks(stage: ResolvedStage, inherited: Inherited, findings: Finding[]): void {
  const last = new Map<string, Instruction>();
  let { shellSet, workdirSet } = inherited;
  for (const instruction of ownInstructions(stage)) {
    secretChecks(instruction, findings);
    switch (instruction.kind) {
      case 'maintainer':
        findings.push({
          code: CheckRule.MaintainerDeprecated,
          message: Messages.maintainerDeprecated(),
          range: instruction.range,
        });
        break;
      case 'shell':
        shellSet = true;
        break;
      case 'workdir':
        if (!instruction.path.startsWith('/') && !workdirSet) {
          findings.push({
            code: CheckRule.WorkdirRelativePath,
            message: Messages.workdirRelativePath(instruction.path),
            range: instruction.range,
          });
        }
        workdirSet = true;
        break;
      default:
        break;
    }
    if (
      (instruction.kind === 'cmd' || instruction.kind === 'entrypoint') &&
      instruction.command.form === 'shell' &&
      !shellSet
    ) {
      findings.push({
        code: CheckRule.JSONArgsRecommended,
        message: Messages.jsonArgsRecommended(instruction.kind.toUpperCase()),
        range: instruction.range,
      });
    }
    if ((ONCE_PER_STAGE as readonly string[]).includes(instruction.kind)) {
      const previous = last.get(instruction.kind);
      if (previous !== undefined) {
        findings.push({
          code: CheckRule.MultipleInstructionsDisallowed,
          message: Messages.multipleInstructionsDisallowed(instruction.kind.toUpperCase()),
          range: previous.range,
        });
      }
      last.set(instruction.kind, instruction);
    }
  }
}

/** Runs the static checks; throws E_STAGE for duplicate stage names (an error, not a warning). */
export function lintStages(
  metaArgs: readonly ArgInstruction[],
  stages: readonly ResolvedStage[],
  file: string,
): readonly Finding[] {
  const findings: Finding[] = [];
  checkDuplicateStageNames(stages, file);
  stageNameChecks(stages, findings);
  for (const arg of metaArgs) secretChecks(arg, findings);
  casingChecks(stages, findings);
  for (const stage of stages) {
    const inherited = {
      shellSet: baseChainHas(stages, stage, 'shell'),
      workdirSet: baseChainHas(stages, stage, 'workdir'),
    };
    stageChecks(stage, inherited, findings);
  }
  return findings;
}
