/**
 * ADD and COPY: flags, sources (paths and heredoc contents) and destination.
 */
import { sourcesAndDest } from './command-line.js';
import { boolFlag, type ParsedFlags, stringFlag, stringsFlag } from './flags.js';
import { argError } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import type { AddInstruction, CopyInstruction, SourcesAndDest } from './types.js';

function operands(req: ParseRequest): SourcesAndDest {
  const result = sourcesAndDest(req.node.args, req.node.heredocs);
  if ('heredocDestination' in result)
    throw argError(req.site, `${req.name} cannot accept a heredoc as a destination`);
  return result;
}

function requireDestination(req: ParseRequest): void {
  if (req.node.args.length < 2) {
    throw argError(
      req.site,
      `${req.name} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  }
}

function optional<K extends string>(key: K, value: string | undefined): { readonly [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { readonly [P in K]?: string };
}

function ownership(flags: ParsedFlags): { readonly chown?: string; readonly chmod?: string } {
  return {
    ...optional('chown', stringFlag(flags, 'chown')),
    ...optional('chmod', stringFlag(flags, 'chmod')),
  };
}

export function parseAdd(req: ParseRequest): AddInstruction {
  requireDestination(req);
  const flags = requestFlags(req, {
    chown: { kind: 'string' },
    chmod: { kind: 'string' },
    link: { kind: 'bool' },
    'keep-git-dir': { kind: 'bool' },
    checksum: { kind: 'string' },
    exclude: { kind: 'strings' },
    unpack: { kind: 'bool' },
  });
  return {
    kind: 'add',
    ...baseOf(req, flags),
    sources: operands(req),
    ...ownership(flags),
    link: boolFlag(flags, 'link'),
    keepGitDir: boolFlag(flags, 'keep-git-dir'),
    ...optional('checksum', stringFlag(flags, 'checksum')),
    ...(flags.used.includes('unpack') ? { unpack: boolFlag(flags, 'unpack') } : {}),
    exclude: stringsFlag(flags, 'exclude'),
  };
}

export function parseCopy(req: ParseRequest): CopyInstruction {
  requireDestination(req);
  const flags = requestFlags(req, {
    from: { kind: 'string' },
    chown: { kind: 'string' },
    chmod: { kind: 'string' },
    link: { kind: 'bool' },
    parents: { kind: 'bool' },
    exclude: { kind: 'strings' },
  });
  return {
    kind: 'copy',
    ...baseOf(req, flags),
    sources: operands(req),
    ...optional('from', stringFlag(flags, 'from')),
    ...ownership(flags),
    link: boolFlag(flags, 'link'),
    parents: boolFlag(flags, 'parents'),
    exclude: stringsFlag(flags, 'exclude'),
  };
}
