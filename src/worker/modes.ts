/**
 * COPY --chmod: the mode every copied node gets (symlinks keep theirs). An octal mode replaces the
 * permission bits; a symbolic mode (`u=rwx,go=rx`, `a+X`, `g-w`, `o=u`) is applied to each node's own
 * mode as chmod(1) does, a missing "who" meaning all classes (no umask: a build has none).
 */
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';

/** What a mode function needs to know of a node. */
export interface ModeNode {
  readonly mode: number;
  readonly type?: 'file' | 'directory' | 'symlink';
}

const CLAUSE = /^([ugoa]*)((?:[-+=](?:[rwxXst]*|[ugo]))+)$/;
const OPERATION = /([-+=])([ugo]|[rwxXst]*)/g;

/** Permission bits of each class, and the special bit that goes with it. */
const CLASS_BITS = { u: 0o700, g: 0o070, o: 0o007 } as const;
const SPECIAL_BITS = { u: 0o4000, g: 0o2000, o: 0o1000 } as const;
type ClassName = keyof typeof CLASS_BITS;

/** The rwx bits of `mode`'s class `from`, as the 0-7 value of one class. */
function classValue(mode: number, from: ClassName): number {
  const shift = from === 'u' ? 6 : from === 'g' ? 3 : 0;
  return (mode >> shift) & 0o7;
}

/** The mask `perms` stand for in the classes `who` (X: execute when a directory or already executable). */
function permissionMask(perms: string, who: readonly ClassName[], mode: number, isDir: boolean): number {
  let rwx = 0;
  let special = 0;
  if (/^[ugo]$/.test(perms)) rwx = classValue(mode, perms as ClassName);
  else {
    for (const p of perms) {
      if (p === 'r') rwx |= 4;
      else if (p === 'w') rwx |= 2;
      else if (p === 'x') rwx |= 1;
      else if (p === 'X' && (isDir || (mode & 0o111) !== 0)) rwx |= 1;
      else if (p === 's') special |= 0o4000 | 0o2000;
      else if (p === 't') special |= 0o1000;
    }
  }
  let mask = 0;
  for (const c of who) {
    const shift = c === 'u' ? 6 : c === 'g' ? 3 : 0;
    mask |= rwx << shift;
    if (c !== 'o') mask |= special & SPECIAL_BITS[c];
    else mask |= special & 0o1000;
  }
  return mask;
}

/** Applies a symbolic mode (already validated by the front end) to `mode`. */
export function applySymbolicMode(spec: string, node: ModeNode): number {
  let mode = node.mode & 0o7777;
  const isDir = node.type === 'directory';
  for (const clause of spec.split(',')) {
    const match = CLAUSE.exec(clause);
    if (match === null)
      throw new KilnError(ErrorCode.Usage, `invalid chmod clause ${JSON.stringify(clause)}`);
    const whoText = match[1] === '' || match[1]!.includes('a') ? 'ugo' : match[1]!;
    const who = [...new Set(whoText)] as ClassName[];
    for (const [, op, perms = ''] of match[2]!.matchAll(OPERATION)) {
      const mask = permissionMask(perms, who, mode, isDir);
      if (op === '+') mode |= mask;
      else if (op === '-') mode &= ~mask;
      else {
        let clear = 0;
        for (const c of who) clear |= CLASS_BITS[c] | (c === 'o' ? 0 : SPECIAL_BITS[c]);
        // `=` keeps the setuid/setgid bits of directories (as chmod(1) does), clears them on files.
        if (isDir) clear &= ~0o6000;
        mode = (mode & ~clear) | mask;
      }
    }
  }
  return mode;
}

/** A function giving the new mode of a node, or undefined when there is no --chmod. */
export function parseChmod(
  spec: string | undefined,
  location: SourceLocation | undefined,
): ((node: ModeNode) => number) | undefined {
  if (spec === undefined || spec === '') return undefined;
  if (/^[0-7]{1,4}$/.test(spec)) {
    const mode = Number.parseInt(spec, 8);
    return () => mode;
  }
  if (spec.split(',').every((clause) => CLAUSE.test(clause))) {
    return (node) => applySymbolicMode(spec, node);
  }
  throw new KilnError(ErrorCode.Usage, `invalid --chmod=${spec}: want an octal or a symbolic mode`, {
    ...(location === undefined ? {} : { location }),
  });
}
