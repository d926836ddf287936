/**
 * What each per-instruction parser receives: the node, where errors point, and the common fields.
 */
import type { SourceRange } from '../../errors.js';
import type { InstructionNode } from '../parser/ast.js';
import { type FlagSpec, type ParsedFlags, parseFlags } from './flags.js';
import type { ErrorSite } from './instruction-error.js';
import type { InstructionBase } from './types.js';

/** Options of `parseInstruction`. */
export interface InstructionContext {
  /** File name used in error locations; `Dockerfile` by default. */
  readonly file?: string;
}

export interface ParseRequest {
  readonly node: InstructionNode;
  readonly site: ErrorSite;
  /** Keyword as written, e.g. `Run`. */
  readonly keyword: string;
  /** Keyword uppercased, for messages. */
  readonly name: string;
}

/** The keyword as written: the parser's record, else the first word of the original text, else the keyword. */
export function keywordAsWritten(node: InstructionNode): string {
  if (node.keywordAsWritten !== undefined && node.keywordAsWritten !== '') return node.keywordAsWritten;
  const first = /^\s*(\S+)/.exec(node.original)?.[1];
  return first !== undefined && first.toLowerCase() === node.keyword ? first : node.keyword;
}

export function makeRequest(node: InstructionNode, context: InstructionContext): ParseRequest {
  const keyword = keywordAsWritten(node);
  return {
    node,
    site: {
      file: context.file ?? 'Dockerfile',
      range: node.range,
      ...(node.flagRanges === undefined ? {} : { flagRanges: node.flagRanges }),
    },
    keyword,
    name: keyword.toUpperCase(),
  };
}

/** Parses the request's flags against a spec. */
export function requestFlags(req: ParseRequest, spec: FlagSpec = {}): ParsedFlags {
  return parseFlags(req.node.flags, spec, req.site);
}

/** Flag ranges by flag name, from the node's parallel `flags` / `flagRanges`. */
function rangesByName(node: InstructionNode): Record<string, SourceRange[]> | undefined {
  const ranges = node.flagRanges;
  if (ranges === undefined || ranges.length === 0 || ranges.length !== node.flags.length) return undefined;
  const out: Record<string, SourceRange[]> = {};
  node.flags.forEach((flag, i) => {
    const name = flag.replace(/^--/, '').split('=')[0]!;
    (out[name] ??= []).push(ranges[i]!);
  });
  return out;
}

/** The common fields for an instruction. */
export function baseOf(req: ParseRequest, flags: ParsedFlags | undefined): InstructionBase {
  const flagRanges = flags === undefined ? undefined : rangesByName(req.node);
  return {
    keyword: req.keyword,
    original: req.node.original,
    range: req.node.range,
    flagsUsed: flags?.used ?? [],
    ...(flagRanges === undefined ? {} : { flagRanges }),
  };
}
