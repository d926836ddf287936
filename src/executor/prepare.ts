/**
 * Everything a step needs before a process starts, shared by all isolation strategies: the resolved
 * user, the final environment, WORKDIR, the generated /etc files, and mount points (stubs).
 */
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, KilnError } from '../errors.js';
import { renderEtcFiles } from './etc-files.js';
import { resolveInRoot } from './in-root.js';
import { type MountPointKind, StubRecorder } from './stubs.js';
import type { Mount, RunStepOptions } from './types.js';
import { type ResolvedUser, resolveUser } from './user.js';

/** A mount with its source ready on the host and its target resolved to a host path. */
export type PreparedMount =
  | {
      readonly kind: 'bind';
      readonly source: string;
      readonly hostTarget: string;
      readonly readonly: boolean;
      readonly target: string;
    }
  | {
      readonly kind: 'tmpfs';
      readonly hostTarget: string;
      readonly sizeBytes?: number;
      readonly mode?: number;
      readonly target: string;
    };

export interface PreparedStep {
  /** The rootfs, canonical (no symlinks, no trailing slash). */
  readonly root: string;
  readonly user: ResolvedUser;
  readonly env: readonly string[];
  readonly cwd: string;
  /** The private temp dir (etc files, file mounts); removed by `cleanup`. */
  readonly tempDir: string;
  /** Host paths of the standard mount points. */
  readonly dev: string;
  readonly proc: string;
  readonly sys: string;
  /** Generated etc files: [host source, host target, inside target]. */
  readonly etc: readonly (readonly [string, string, string])[];
  readonly mounts: readonly PreparedMount[];
  /** Removes stubs and the temp dir; returns the stubs that had to be kept. */
  cleanup(): Promise<readonly string[]>;
  readonly created: readonly string[];
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function readInRoot(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(await resolveInRoot(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

function finalEnv(env: readonly string[], user: ResolvedUser, hostname: string): string[] {
  for (const entry of env) {
    if (!entry.includes('=') || entry.startsWith('=')) {
      throw new KilnError(
        ErrorCode.Executor,
        `invalid environment entry ${JSON.stringify(entry)}: want KEY=value`,
      );
    }
  }
  const has = (key: string) => env.some((e) => e.startsWith(`${key}=`));
  const out = [...env];
  if (!has('PATH')) out.unshift(DEFAULT_PATH);
  if (!has('HOSTNAME')) out.push(`HOSTNAME=${hostname}`);
  if (!has('HOME')) out.push(`HOME=${user.home}`);
  return out;
}

/** Prepares a step; on failure everything created so far is undone. */
export async function prepareStep(options: RunStepOptions): Promise<PreparedStep> {
  if (options.args.length === 0) throw new KilnError(ErrorCode.Executor, 'RUN needs a command');
  if (!options.cwd.startsWith('/')) {
    throw new KilnError(
      ErrorCode.Executor,
      `working directory ${JSON.stringify(options.cwd)} is not absolute`,
    );
  }
  const root = await realpath(options.rootfs).catch((cause: unknown) => {
    throw new KilnError(ErrorCode.Executor, `rootfs ${options.rootfs} does not exist`, { cause });
  });
  const user = resolveUser({
    user: options.user,
    passwd: await readInRoot(root, '/etc/passwd'),
    group: await readInRoot(root, '/etc/group'),
  });
  const ns = options.namespace;
  const maxGid = Math.max(user.gid, ...user.additionalGids);
  if (user.uid >= ns.uidCount || maxGid >= ns.gidCount) {
    throw new KilnError(
      ErrorCode.UserNamespace,
      `USER ${options.user} needs uid ${user.uid} / gid ${maxGid}, but only ids below ${Math.min(ns.uidCount, ns.gidCount)} are mapped`,
      { hint: 'give the invoking user a (larger) subordinate id range in /etc/subuid and /etc/subgid' },
    );
  }
  if (!ns.setgroups && user.additionalGids.length > 0) {
    throw new KilnError(
      ErrorCode.UserNamespace,
      `USER ${options.user} has supplementary groups but setgroups is denied`,
      {
        hint: 'single-id mode cannot set supplementary groups; configure subordinate ids',
      },
    );
  }
  const tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'kiln-step-'));
  const stubs = new StubRecorder(root);
  const undo = async (): Promise<readonly string[]> => {
    const kept = await stubs.undo();
    await rm(tempDir, { recursive: true, force: true });
    return kept;
  };
  try {
    // Private: it holds file mounts (secrets) and, for OCI, config.json with the step's environment.
    await chmod(tempDir, 0o700);
    const cwdHost = await resolveInRoot(root, options.cwd);
    await mkdir(cwdHost, { recursive: true, mode: 0o755 });
    const point = (target: string, kind: MountPointKind) => stubs.ensure(target, kind);
    const dev = await point('/dev', 'dir');
    const proc = await point('/proc', 'dir');
    const sys = await point('/sys', 'dir');
    const files = await renderEtcFiles({
      hostname: options.hostname,
      extraHosts: options.extraHosts,
      resolvConf: options.resolvConf,
      hostNetwork: options.network === 'host',
    });
    const etc: [string, string, string][] = [];
    for (const [name, content] of [
      ['hosts', files.hosts],
      ['resolv.conf', files.resolvConf],
      ['hostname', files.hostname],
    ] as const) {
      const source = join(tempDir, name);
      await writeFile(source, content, { mode: 0o644 });
      etc.push([source, await point(`/etc/${name}`, 'file'), `/etc/${name}`]);
    }
    const mounts: PreparedMount[] = [];
    let fileIndex = 0;
    for (const mount of options.mounts) {
      mounts.push(await prepareMount(mount, { point, tempDir, index: fileIndex++ }));
    }
    return {
      root,
      user,
      env: finalEnv(options.env, user, options.hostname),
      cwd: options.cwd,
      tempDir,
      dev,
      proc,
      sys,
      etc,
      mounts,
      created: stubs.created,
      cleanup: undo,
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

async function prepareMount(
  mount: Mount,
  ctx: {
    point: (target: string, kind: MountPointKind) => Promise<string>;
    tempDir: string;
    index: number;
  },
): Promise<PreparedMount> {
  if (!mount.target.startsWith('/')) {
    throw new KilnError(ErrorCode.Executor, `mount target ${JSON.stringify(mount.target)} is not absolute`);
  }
  switch (mount.kind) {
    case 'bind': {
      const st = await stat(mount.source).catch((cause: unknown) => {
        throw new KilnError(ErrorCode.Executor, `mount source ${mount.source} does not exist`, { cause });
      });
      const hostTarget = await ctx.point(mount.target, st.isDirectory() ? 'dir' : 'file');
      return {
        kind: 'bind',
        source: mount.source,
        hostTarget,
        readonly: mount.readonly,
        target: mount.target,
      };
    }
    case 'tmpfs': {
      const hostTarget = await ctx.point(mount.target, 'dir');
      return {
        kind: 'tmpfs',
        hostTarget,
        sizeBytes: mount.sizeBytes,
        mode: mount.mode,
        target: mount.target,
      };
    }
    case 'file': {
      const source = join(ctx.tempDir, `file-${ctx.index}`);
      await writeFile(source, mount.content, { mode: mount.mode ?? 0o444 });
      await chmod(source, mount.mode ?? 0o444);
      const hostTarget = await ctx.point(mount.target, 'file');
      return { kind: 'bind', source, hostTarget, readonly: true, target: mount.target };
    }
  }
}
