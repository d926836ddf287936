/**
 * FROM [--platform=p] image [AS name], and ONBUILD <trigger>.
 */
import { stringFlag } from './flags.js';
import { argError, wordSite } from './instruction-error.js';
import { docComment } from './parse-simple.js';
import { baseOf, keywordAsWritten, type ParseRequest, requestFlags } from './request.js';
import type { FromInstruction, OnbuildInstruction } from './types.js';

/** Stage names: lowercase letter first, then lowercase letters, digits, `-`, `_`, `.`. */
export const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function parseFrom(req: ParseRequest): FromInstruction {
  const args = req.node.args;
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(stageName)) {
      throw argError(
        wordSite(req.site, req.node.original, args[2]!),
        `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
      );
    }
  } else if (args.length !== 1) {
    throw argError(req.site, 'FROM requires either one or three arguments');
  }
  const flags = requestFlags(req, { platform: { kind: 'string' } });
  const platform = stringFlag(flags, 'platform');
  return {
    kind: 'from',
    ...baseOf(req, flags),
    baseName: args[0]!,
    ...(stageName === undefined ? {} : { stageName, stageNameAsWritten: args[2]!, asKeyword: args[1]! }),
    ...(platform === undefined ? {} : { platform }),
    comment: docComment(req.node.comments, stageName),
  };
}

export function parseOnbuild(req: ParseRequest): OnbuildInstruction {
  const child = req.node.child;
  if (child === undefined) throw argError(req.site, 'ONBUILD requires at least one argument');
  const flags = requestFlags(req);
  const trigger = keywordAsWritten(child).toUpperCase();
  switch (trigger) {
    case 'ONBUILD':
      throw argError(req.site, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    case 'MAINTAINER':
    case 'FROM':
      throw argError(req.site, `${trigger} isn't allowed as an ONBUILD trigger`);
  }
  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const heredoc of req.node.heredocs.length > 0 ? req.node.heredocs : child.heredocs) {
    expression += `\n${heredoc.content}${heredoc.name}`;
  }
  return { kind: 'onbuild', ...baseOf(req, flags), trigger, expression };
}
