/**
 * Test helpers: hand-built AST nodes and the instructions conformance cases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Heredoc, InstructionNode } from '../../../src/dockerfile/parser/ast.js';
import { conformanceDir } from '../../helpers/paths.js';

export interface NodeInit {
  readonly keyword: string;
  readonly flags?: readonly string[];
  readonly args?: readonly string[];
  readonly json?: boolean;
  readonly child?: InstructionNode;
  readonly heredocs?: readonly Heredoc[];
  readonly original?: string;
  readonly comments?: readonly string[];
  readonly line?: number;
}

/** An InstructionNode as the parser would produce it (original defaults to the words joined). */
export function node(init: NodeInit): InstructionNode {
  const flags = init.flags ?? [];
  const args = init.args ?? [];
  const line = init.line ?? 1;
  const original = init.original ?? [init.keyword.toUpperCase(), ...flags, ...args].join(' ');
  return {
    keyword: init.keyword.toLowerCase(),
    flags,
    args,
    json: init.json ?? false,
    ...(init.child === undefined ? {} : { child: init.child }),
    heredocs: init.heredocs ?? [],
    original,
    comments: init.comments ?? [],
    range: { start: { line, column: 1 }, end: { line, column: original.length + 1 } },
  };
}

/** The parsed instructions_cases.json. */
// biome-ignore lint/suspicious/noExplicitAny: conformance JSON is read loosely and checked field by field.
export function instructionCases(): any {
  const path = join(conformanceDir(), 'buildkit', 'json', 'instructions_cases.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Runs fn and returns the KilnError it throws (fails when nothing is thrown). */
export function thrown(fn: () => unknown): { readonly code: string; readonly message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}
