/**
 * Resolving a Dockerfile USER value against the image's /etc/passwd and /etc/group (pure).
 * Semantics follow runc/moby's GetExecUser: a name must exist in passwd; a numeric uid need not
 * (its gid is then 0); supplementary groups are the groups listing the user by name, only when no
 * group is given explicitly; an explicit group name must exist in /etc/group, a numeric gid need not.
 */
import { ErrorCode, KilnError } from '../errors.js';

/** The ids a step runs with. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups (without the primary gid). */
  readonly additionalGids: readonly number[];
  /** Home directory from passwd ("/" when unknown). */
  readonly home: string;
}

export interface ResolveUserOptions {
  /** The USER value: `name`, `uid`, `name:group`, `uid:gid`, or '' for root. */
  readonly user: string;
  /** Text of the image's /etc/passwd (undefined when the file does not exist). */
  readonly passwd: string | undefined;
  /** Text of the image's /etc/group (undefined when the file does not exist). */
  readonly group: string | undefined;
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

const ID_RE = /^[0-9]+$/;
const MAX_ID = 0xffff_fffe;

function parseIdField(text: string | undefined): number | undefined {
  if (text === undefined || !ID_RE.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

function lines(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const f of lines(text)) {
    const uid = parseIdField(f[2]);
    const gid = parseIdField(f[3]);
    if (f[0] === undefined || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid, home: f[5] || '/' });
  }
  return out;
}

function parseGroup(text: string | undefined): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const f of lines(text)) {
    const gid = parseIdField(f[2]);
    if (f[0] === undefined || gid === undefined) continue;
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '');
    out.push({ name: f[0], gid, members });
  }
  return out;
}

function fail(message: string): never {
  throw new KilnError(ErrorCode.Executor, message, {
    hint: 'create the user/group in an earlier RUN step, or use numeric ids (USER 1000:1000)',
  });
}

/** Resolves USER to numeric ids; throws E_EXECUTOR for unknown names or malformed values. */
export function resolveUser(options: ResolveUserOptions): ResolvedUser {
  const spec = options.user.trim() || '0';
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  if (userPart === '' || groupPart === '') fail(`invalid USER ${JSON.stringify(options.user)}`);
  const passwd = parsePasswd(options.passwd);
  const numericUid = parseIdField(userPart);
  if (numericUid === undefined && ID_RE.test(userPart)) fail(`uid ${userPart} is out of range`);
  const entry =
    numericUid === undefined
      ? passwd.find((p) => p.name === userPart)
      : passwd.find((p) => p.uid === numericUid);
  if (entry === undefined && numericUid === undefined) {
    fail(
      options.passwd === undefined
        ? `unable to find user ${userPart}: the image has no /etc/passwd`
        : `unable to find user ${userPart}: no matching entries in /etc/passwd`,
    );
  }
  const uid = numericUid ?? entry!.uid;
  let gid = entry?.gid ?? 0;
  const groups = parseGroup(options.group);
  let additionalGids: number[] = [];
  if (groupPart !== undefined) {
    const numericGid = parseIdField(groupPart);
    if (numericGid === undefined && ID_RE.test(groupPart)) fail(`gid ${groupPart} is out of range`);
    if (numericGid !== undefined) gid = numericGid;
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (g === undefined) {
        fail(
          options.group === undefined
            ? `unable to find group ${groupPart}: the image has no /etc/group`
            : `unable to find group ${groupPart}: no matching entries in /etc/group`,
        );
      }
      gid = g.gid;
    }
  } else if (entry !== undefined) {
    additionalGids = [
      ...new Set(groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid)),
    ].filter((g) => g !== gid);
  }
  return { uid, gid, additionalGids, home: entry?.home ?? '/' };
}
