/**
 * ONBUILD triggers of a base *image*: its config's `OnBuild` strings parsed (parser + instructions layer)
 * and expanded against the stage's starting environment, to run before the stage's own instructions.
 * (Triggers of a base *stage* are already prepended by the stages layer.)
 */

import { parseInstruction } from '../dockerfile/instructions/parse-instruction.js';
import type { StageCommand } from '../dockerfile/instructions/types.js';
import { parseDockerfile } from '../dockerfile/parser/index.js';
import { makeExpander } from '../dockerfile/stages/expander.js';
import { type ResolveContext, resolveInstruction } from '../dockerfile/stages/resolve-instruction.js';
import { newScope, scopeEnv } from '../dockerfile/stages/scope.js';
import { shellLexer } from '../dockerfile/stages/shell-lexer.js';
import type { ResolvedInstruction } from '../dockerfile/stages/types.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';

/** Parses `OnBuild` strings into typed commands located at `site` (the FROM line). */
export function parseOnbuildTriggers(
  triggers: readonly string[],
  site: SourceLocation,
): readonly StageCommand[] {
  return triggers.map((trigger) => {
    const ast = parseDockerfile(trigger, { file: site.file });
    const node = ast.children[0];
    if (ast.children.length !== 1 || node === undefined) {
      throw new KilnError(ErrorCode.DockerfileInstruction, 'onbuild trigger should be a single expression', {
        location: site,
      });
    }
    const typed = parseInstruction({ ...node, range: site.range }, { file: site.file });
    if (typed.kind === 'from' || typed.kind === 'onbuild' || typed.kind === 'maintainer') {
      throw new KilnError(
        ErrorCode.DockerfileInstruction,
        `${typed.kind.toUpperCase()} isn't allowed as an ONBUILD trigger`,
        { location: site },
      );
    }
    return typed;
  });
}

export interface TriggerOptions {
  readonly site: SourceLocation;
  /** The stage's environment when the triggers run (the base image's env). */
  readonly env: Readonly<Record<string, string>>;
  /** Stage names by index (for COPY --from=<stage> in a trigger). */
  readonly stageNames: readonly (string | undefined)[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly escapeToken?: '\\' | '`';
}

/**
 * The base image's triggers as resolved instructions (flagged `onbuild`), expanded in order against
 * the image env and the effects of the triggers before them.
 */
export function imageOnbuildInstructions(
  triggers: readonly string[],
  options: TriggerOptions,
): readonly ResolvedInstruction[] {
  const commands = parseOnbuildTriggers(triggers, options.site);
  const scope = newScope(options.env, true);
  const lexOptions = options.escapeToken === undefined ? {} : { escapeToken: options.escapeToken };
  const context: ResolveContext = {
    file: options.site.file,
    buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
    metaArgs: new Map(),
    platformArgs: {},
    stageNames: options.stageNames,
    consume: () => undefined,
  };
  return commands.map((cmd) => {
    const ex = makeExpander({ lexer: shellLexer, env: scopeEnv(scope), lexOptions, location: options.site });
    const result = resolveInstruction(cmd, scope, ex, context, lexOptions);
    return { ...result, onbuild: true };
  });
}
