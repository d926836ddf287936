/**
 * Checks that a user namespace can be created, with actionable errors. The decision is pure
 * (`checkPrerequisites`); `gatherPrerequisites` reads the facts from the host.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import type { IdMappingPlan } from './mappings.js';

/** Facts about the host that decide whether rootless mode can work. */
export interface HostPrerequisites {
  /** Content of /proc/sys/kernel/unprivileged_userns_clone (Debian/Ubuntu patch), if the file exists. */
  readonly unprivilegedUsernsClone: string | undefined;
  /** Content of /proc/sys/user/max_user_namespaces, if the file exists. */
  readonly maxUserNamespaces: string | undefined;
  /** Content of /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu 23.10+), if it exists. */
  readonly apparmorRestrict: string | undefined;
  /** Absolute paths of the helper programs, undefined when not found on PATH. */
  readonly unshare: string | undefined;
  readonly newuidmap: string | undefined;
  readonly newgidmap: string | undefined;
}

/** Throws E_USERNS when the plan cannot be carried out on a host with these facts. */
export function checkPrerequisites(plan: IdMappingPlan, host: HostPrerequisites): void {
  if (host.unshare === undefined) {
    throw new KilnError(ErrorCode.UserNamespace, 'the unshare program (util-linux) was not found on PATH', {
      hint: 'install util-linux (apt-get install util-linux)',
    });
  }
  if (plan.kind === 'root') return;
  if (host.unprivilegedUsernsClone?.trim() === '0') {
    throw new KilnError(ErrorCode.UserNamespace, 'unprivileged user namespaces are disabled on this host', {
      hint: 'as root: sysctl -w kernel.unprivileged_userns_clone=1 (persist it in /etc/sysctl.d/)',
    });
  }
  if (host.maxUserNamespaces?.trim() === '0') {
    throw new KilnError(
      ErrorCode.UserNamespace,
      'user namespaces are disabled (user.max_user_namespaces = 0)',
      {
        hint: 'as root: sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)',
      },
    );
  }
  if (host.apparmorRestrict?.trim() === '1') {
    throw new KilnError(
      ErrorCode.UserNamespace,
      'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)',
      {
        hint:
          'as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or add an AppArmor profile ' +
          'allowing "userns," for node',
      },
    );
  }
  if (plan.kind === 'subordinate' && (host.newuidmap === undefined || host.newgidmap === undefined)) {
    throw new KilnError(
      ErrorCode.UserNamespace,
      'newuidmap/newgidmap were not found on PATH; they are needed to map the subordinate id ranges',
      { hint: 'install them: apt-get install uidmap (Debian/Ubuntu), dnf install shadow-utils (Fedora)' },
    );
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Finds an executable on a PATH string (plus the sbin directories, which are often missing for users). */
export async function findProgram(name: string, pathVar: string | undefined): Promise<string | undefined> {
  const dirs = [
    ...(pathVar ?? '').split(delimiter).filter((d) => d !== ''),
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/bin',
  ];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

/** Reads the facts `checkPrerequisites` needs from this host. */
export async function gatherPrerequisites(env: NodeJS.ProcessEnv): Promise<HostPrerequisites> {
  const [unprivilegedUsernsClone, maxUserNamespaces, apparmorRestrict, unshare, newuidmap, newgidmap] =
    await Promise.all([
      readOptional('/proc/sys/kernel/unprivileged_userns_clone'),
      readOptional('/proc/sys/user/max_user_namespaces'),
      readOptional('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
      findProgram('unshare', env.PATH),
      findProgram('newuidmap', env.PATH),
      findProgram('newgidmap', env.PATH),
    ]);
  return { unprivilegedUsernsClone, maxUserNamespaces, apparmorRestrict, unshare, newuidmap, newgidmap };
}
