/**
 * ADD and COPY: flags, sources (paths and heredoc contents) and destination.
 */
import { sourcesAndDest } from './command-line.js';
import { boolFlag, type ParsedFlags, stringFlag, stringsFlag } from './flags.js';
import { argError } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import type { AddInstruction, CopyInstruction, CopyLikeFields, SourcesAndDest } from './types.js';

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

/** Flags ADD and COPY both accept. */
const COPY_LIKE_FLAGS = {
  chown: { kind: 'string' },
  chmod: { kind: 'string' },
  link: { kind: 'bool' },
  exclude: { kind: 'strings' },
} as const;

/** The fields of the flags in COPY_LIKE_FLAGS, plus the common base and the operands. */
function copyLikeFields(req: ParseRequest, flags: ParsedFlags): CopyLikeFields {
  return {
    ...baseOf(req, flags),
    sources: operands(req),
    ...optional('chown', stringFlag(flags, 'chown')),
    ...optional('chmod', stringFlag(flags, 'chmod')),
    link: boolFlag(flags, 'link'),
    exclude: stringsFlag(flags, 'exclude'),
  };
}

export function parseAdd(req: ParseRequest): AddInstruction {
  requireDestination(req);
  const flags = requestFlags(req, {
    ...COPY_LIKE_FLAGS,
    'keep-git-dir': { kind: 'bool' },
    checksum: { kind: 'string' },
    unpack: { kind: 'bool' },
  });
  return {
    kind: 'add',
    ...copyLikeFields(req, flags),
    keepGitDir: boolFlag(flags, 'keep-git-dir'),
    ...optional('checksum', stringFlag(flags, 'checksum')),
    ...(flags.used.includes('unpack') ? { unpack: boolFlag(flags, 'unpack') } : {}),
  };
}

export function parseCopy(req: ParseRequest): CopyInstruction {
  requireDestination(req);
  const flags = requestFlags(req, {
    from: { kind: 'string' },
    ...COPY_LIKE_FLAGS,
    parents: { kind: 'bool' },
  });
  return {
    kind: 'copy',
    ...copyLikeFields(req, flags),
    ...optional('from', stringFlag(flags, 'from')),
    parents: boolFlag(flags, 'parents'),
  };
}
