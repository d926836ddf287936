/**
 * AST node → typed instruction, one small parser per keyword (BuildKit's instructions.ParseInstruction).
 */
import { ErrorCode } from '../../errors.js';
import type { InstructionNode } from '../parser/ast.js';
import { siteError } from './instruction-error.js';
import { parseAdd, parseCopy } from './parse-copy.js';
import { parseFrom, parseOnbuild } from './parse-from.js';
import { parseHealthcheck } from './parse-healthcheck.js';
import { parseRun } from './parse-run.js';
import {
  parseArg,
  parseCmd,
  parseEntrypoint,
  parseEnv,
  parseExpose,
  parseLabel,
  parseMaintainer,
  parseShell,
  parseStopsignal,
  parseUser,
  parseVolume,
  parseWorkdir,
} from './parse-simple.js';
import { type InstructionContext, makeRequest, type ParseRequest } from './request.js';
import { suggest } from './suggest.js';
import { INSTRUCTION_KINDS, type Instruction, type InstructionKind } from './types.js';

const PARSERS: { readonly [K in InstructionKind]: (req: ParseRequest) => Extract<Instruction, { kind: K }> } =
  {
    from: parseFrom,
    run: parseRun,
    cmd: parseCmd,
    entrypoint: parseEntrypoint,
    label: parseLabel,
    maintainer: parseMaintainer,
    expose: parseExpose,
    env: parseEnv,
    add: parseAdd,
    copy: parseCopy,
    volume: parseVolume,
    user: parseUser,
    workdir: parseWorkdir,
    arg: parseArg,
    onbuild: parseOnbuild,
    stopsignal: parseStopsignal,
    healthcheck: parseHealthcheck,
    shell: parseShell,
  };

function isKind(keyword: string): keyword is InstructionKind {
  return (INSTRUCTION_KINDS as readonly string[]).includes(keyword);
}

/**
 * Types one instruction node. Throws KilnError located at the node: E_UNKNOWN_INSTRUCTION for unknown
 * keywords, E_UNKNOWN_FLAG for unknown/duplicate/malformed flags, E_DOCKERFILE_INSTRUCTION for bad arguments.
 */
export function parseInstruction(node: InstructionNode, context: InstructionContext = {}): Instruction {
  const req = makeRequest(node, context);
  const keyword = node.keyword.toLowerCase();
  if (!isKind(keyword)) {
    const guess = suggest(
      req.name,
      INSTRUCTION_KINDS.map((k) => k.toUpperCase()),
      false,
    );
    throw siteError(
      req.site,
      ErrorCode.UnknownInstruction,
      `unknown instruction: ${req.keyword}`,
      guess === undefined ? undefined : `did you mean ${guess}?`,
    );
  }
  return PARSERS[keyword](req) as Instruction;
}
