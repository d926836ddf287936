/**
 * The mounts of one RUN step: bind (context or another op's tree), tmpfs, inline heredoc files,
 * persistent cache directories, and the secret / ssh mounts of the build's secrets provider. Every
 * resource acquired is recorded in `StepResources`, for release after the step.
 */
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretMount, SshMount } from '../dockerfile/instructions/types.js';
import type { SourceLocation } from '../errors.js';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { type Mount, resolveInRoot } from '../executor/index.js';
import { type CacheMountLease, CacheMountManager, type CacheSeed } from '../mounts/index.js';
import type { ExecMount, ExecOp, OpId } from '../plan/index.js';
import type { StepSecrets, StepSsh } from '../secrets/index.js';
import { prepareRootfs } from '../snapshot/index.js';
import { chainId } from './chains.js';
import { openView, type TreeView } from './trees.js';
import type { FsState, WorkerEnv } from './types.js';

/** What the mount helpers read of a step. */
export interface StepMountInput {
  readonly op: ExecOp;
  fsOf(id: OpId): FsState;
  readonly location?: SourceLocation;
}

/** Acquired resources of a step, released after it. */
export interface StepResources {
  readonly views: TreeView[];
  readonly caches: CacheMountLease[];
  secrets?: StepSecrets;
  ssh?: StepSsh;
}

export async function secretMounts(
  env: WorkerEnv,
  input: StepMountInput,
  resources: StepResources,
): Promise<StepSecrets | undefined> {
  const wanted = input.op.mounts.flatMap((m): SecretMount[] => (m.type === 'secret' ? [{ ...m }] : []));
  if (wanted.length === 0) return undefined;
  if (env.secrets === undefined) {
    throw new KilnError(
      ErrorCode.Secret,
      'RUN --mount=type=secret needs build secrets, and none are available here',
      {
        ...(input.location === undefined ? {} : { location: input.location }),
      },
    );
  }
  resources.secrets = await env.secrets.prepare(wanted, input.op.id, input.location);
  return resources.secrets;
}

export async function sshMounts(
  env: WorkerEnv,
  input: StepMountInput,
  resources: StepResources,
): Promise<StepSsh | undefined> {
  const wanted = input.op.mounts.flatMap((m): SshMount[] => (m.type === 'ssh' ? [{ ...m }] : []));
  if (wanted.length === 0) return undefined;
  if (env.secrets === undefined) {
    throw new KilnError(
      ErrorCode.Secret,
      'RUN --mount=type=ssh needs --ssh agents, and none are available here',
      {
        ...(input.location === undefined ? {} : { location: input.location }),
      },
    );
  }
  resources.ssh = await env.secrets.prepareSsh(wanted, input.op.id, input.location);
  return resources.ssh;
}

async function cacheMount(
  env: WorkerEnv,
  input: StepMountInput,
  m: ExecMount & { type: 'cache' },
  resources: StepResources,
): Promise<Mount> {
  let seed: CacheSeed | undefined;
  if (m.from !== undefined) {
    const sourcePath = (m.sourcePath ?? '/').replace(/^\/+/, '');
    if (m.from.kind === 'context') {
      seed = {
        dir: await resolveInRoot(env.context.root, sourcePath),
        key: `context:${m.from.selection}:${sourcePath}`,
      };
    } else {
      const fs = input.fsOf(m.from.op);
      const view = await openView(env, fs);
      resources.views.push(view);
      seed = {
        dir: await resolveInRoot(view.path, sourcePath),
        key: `layers:${chainId(fs.diffIDs) ?? 'scratch'}:${sourcePath}`,
      };
    }
  }
  const manager = new CacheMountManager({
    root: env.store.paths.cacheMountsDir,
    ...(env.hostPath === undefined ? {} : { pathVar: env.hostPath }),
  });
  const lease = await manager.acquire({
    mount: {
      type: 'cache',
      target: m.target,
      id: m.id,
      sharing: m.sharing,
      readOnly: m.readOnly,
      mode: m.mode,
      uid: m.uid,
      gid: m.gid,
    },
    ...(seed === undefined ? {} : { seed }),
    ...(env.signal === undefined ? {} : { signal: env.signal }),
  });
  resources.caches.push(lease);
  return lease.mount;
}

/**
 * A writable tree with the content of `source` whose changes are thrown away on release: an overlay
 * over it (or a copy, with the copy snapshotter); a single file is copied.
 */
async function discardableCopy(env: WorkerEnv, source: string): Promise<TreeView> {
  const st = await stat(source).catch((cause: unknown) => {
    throw new KilnError(ErrorCode.Executor, `bind mount source not found: ${(cause as Error).message}`, {
      cause,
    });
  });
  if (!st.isDirectory()) {
    const dir = join(env.dirs.work, `rw-${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'file');
    await copyFile(source, path);
    await chmod(path, st.mode & 0o7777);
    return { path, release: () => rm(dir, { recursive: true, force: true }) };
  }
  const prepared = await prepareRootfs({
    strategy: await env.strategy(),
    lowers: [source],
    id: `rw-${randomUUID()}`,
    workRoot: env.dirs.work,
    ...(env.signal === undefined ? {} : { signal: env.signal }),
  });
  return { path: prepared.path, release: () => prepared.cleanup() };
}

export async function toMounts(
  env: WorkerEnv,
  input: StepMountInput,
  resources: StepResources,
): Promise<Mount[]> {
  const { views } = resources;
  const mounts: Mount[] = [];
  for (const m of input.op.mounts) {
    switch (m.type) {
      case 'bind': {
        let root: string;
        if (m.from.kind === 'context') root = env.context.root;
        else {
          const view = await openView(env, input.fsOf(m.from.op));
          views.push(view);
          root = view.path;
        }
        // Symlinks in the source resolve inside its root (as in a chroot), never on the host.
        const source = await resolveInRoot(root, m.sourcePath);
        if (source !== root && !source.startsWith(`${root}/`)) {
          throw new KilnError(ErrorCode.PathEscape, `bind mount source ${m.sourcePath} escapes its root`);
        }
        if (m.readOnly) {
          mounts.push({ kind: 'bind', source, target: m.target, readonly: true });
          break;
        }
        // `rw`: the step may write, and its writes are discarded (BuildKit); never into the source.
        const scratch = await discardableCopy(env, source);
        views.push(scratch);
        mounts.push({ kind: 'bind', source: scratch.path, target: m.target, readonly: false });
        break;
      }
      case 'tmpfs':
        mounts.push({
          kind: 'tmpfs',
          target: m.target,
          ...(m.sizeBytes === undefined ? {} : { sizeBytes: m.sizeBytes }),
        });
        break;
      case 'inline':
        for (const file of m.files) {
          mounts.push({
            kind: 'file',
            target: join(m.target, file.path),
            content: file.data,
            mode: file.mode,
          });
        }
        break;
      case 'cache':
        mounts.push(await cacheMount(env, input, m, resources));
        break;
      case 'secret':
      case 'ssh':
        break;
      default:
        assertNever(m, 'mount');
    }
  }
  return mounts;
}
