/**
 * Who kiln runs as, and which subordinate ids that user owns. Pure: callers pass the file texts.
 */
import { type IdRange, parseSubIdFile, rangesForUser } from './subid.js';

/** One line of /proc/PID/uid_map: `inside outside count`. */
export interface IdMapEntry {
  readonly inside: number;
  readonly outside: number;
  readonly count: number;
}

/** Parses /proc/self/uid_map or gid_map text. */
export function parseIdMap(text: string): IdMapEntry[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isSafeInteger(n) && n >= 0))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
}

/** The invoking user and their subordinate id ranges. */
export interface Identity {
  readonly uid: number;
  readonly gid: number;
  readonly username: string | undefined;
  readonly subuids: readonly IdRange[];
  readonly subgids: readonly IdRange[];
  /** The maps of the user namespace kiln was started in (undefined: unknown, assume the initial one). */
  readonly uidMap: readonly IdMapEntry[] | undefined;
  readonly gidMap: readonly IdMapEntry[] | undefined;
  /** Non-fatal remarks (malformed lines in the subid files). */
  readonly warnings: readonly string[];
}

export interface DetectIdentityOptions {
  readonly uid: number;
  readonly gid: number;
  /** The user's login name; entries may name the user or give the numeric uid. */
  readonly username: string | undefined;
  /** Text of /etc/subuid (empty or undefined when the file does not exist). */
  readonly subuidText: string | undefined;
  /** Text of /etc/subgid. */
  readonly subgidText: string | undefined;
  /** Text of /proc/self/uid_map and gid_map (tells real root from root of a container). */
  readonly uidMapText?: string;
  readonly gidMapText?: string;
}

/** Builds the identity from the user's ids and the subordinate id files' text. */
export function detectIdentity(options: DetectIdentityOptions): Identity {
  const warnings: string[] = [];
  const uidFile = parseSubIdFile(options.subuidText ?? '');
  const gidFile = parseSubIdFile(options.subgidText ?? '');
  if (uidFile.invalidLines.length > 0) {
    warnings.push(`ignored malformed /etc/subuid line(s) ${uidFile.invalidLines.join(', ')}`);
  }
  if (gidFile.invalidLines.length > 0) {
    warnings.push(`ignored malformed /etc/subgid line(s) ${gidFile.invalidLines.join(', ')}`);
  }
  return {
    uid: options.uid,
    gid: options.gid,
    username: options.username,
    subuids: rangesForUser(uidFile.entries, { username: options.username, id: options.uid }),
    // /etc/subgid is keyed by user name (or uid), not by group.
    subgids: rangesForUser(gidFile.entries, { username: options.username, id: options.uid }),
    uidMap: options.uidMapText === undefined ? undefined : parseIdMap(options.uidMapText),
    gidMap: options.gidMapText === undefined ? undefined : parseIdMap(options.gidMapText),
    warnings,
  };
}
