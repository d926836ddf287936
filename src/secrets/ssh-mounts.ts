/**
 * `RUN --mount=type=ssh` → a per-step agent socket bound into the step plus `SSH_AUTH_SOCK` (set to the
 * first ssh mount's target). Each step gets its own proxy socket in the tmpfs scratch dir, owned by the
 * mount's uid/gid with its mode (0600 by default), forwarding every connection to the build's agent —
 * so the caller's own socket never needs its permissions changed, and a socket file (not a directory)
 * is all that is bound into the rootfs.
 */
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { SshMount } from '../dockerfile/instructions/types.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { Mount } from '../executor/types.js';
import { missingRequired } from './secret-store.js';
import type { SshAgents } from './ssh-agents.js';
import type { TmpfsScratch } from './tmpfs-scratch.js';

export interface SshMountsOptions {
  readonly mounts: readonly SshMount[];
  readonly agents: SshAgents;
  readonly scratch: TmpfsScratch;
  /** A name for the step's directory under the scratch dir (made unique with a random suffix). */
  readonly stepId: string;
  readonly location?: SourceLocation;
}

export interface StepSsh {
  readonly mounts: readonly Mount[];
  readonly env: readonly string[];
  /** Stops the step's proxies and removes their sockets. */
  cleanup(): Promise<void>;
}

/** Prepares a step's ssh mounts; an unknown id is skipped unless the mount is required. */
export async function prepareSshMounts(options: SshMountsOptions): Promise<StepSsh> {
  const dir = await mkdtemp(
    join(options.scratch.path, `ssh-${options.stepId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 24)}-`),
  );
  const servers: Server[] = [];
  const open = new Set<Socket>();
  const cleanup = async () => {
    for (const s of open) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const mounts: Mount[] = [];
    const env: string[] = [];
    for (const [index, mount] of options.mounts.entries()) {
      const agent = options.agents.socketOf(mount.id);
      if (agent === undefined) {
        if (mount.required) throw missingRequired('ssh', mount.id, options.location);
        continue;
      }
      const path = join(dir, `agent-${index}.sock`);
      servers.push(await listenProxy(path, agent, open));
      if (mount.uid !== (process.getuid?.() ?? 0) || mount.gid !== (process.getgid?.() ?? 0)) {
        await chown(path, mount.uid, mount.gid).catch((cause: unknown) => {
          throw new KilnError(
            ErrorCode.Secret,
            `ssh ${mount.id}: cannot give the socket to ${mount.uid}:${mount.gid}`,
            { cause, location: options.location },
          );
        });
      }
      await chmod(path, mount.mode & 0o7777);
      mounts.push({ kind: 'bind', source: path, target: mount.target, readonly: true });
      if (env.length === 0) env.push(`SSH_AUTH_SOCK=${mount.target}`);
    }
    return { mounts, env, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function listenProxy(path: string, agent: string, open: Set<Socket>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((client) => {
      const upstream = connect(agent);
      open.add(client);
      open.add(upstream);
      const done = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', done).on('close', done);
      upstream.on('error', done).on('close', done);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.unref();
      resolve(server);
    });
  });
}
