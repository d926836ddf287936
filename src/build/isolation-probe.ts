/**
 * The RUN isolation of a kiln root, probed once and then read from `<kilnRoot>/cache/probes.json`.
 * Probing runs `true` under each OCI runtime (a few hundred ms), so only the first build that runs a
 * step pays for it. The result is reused while nothing it depends on changes: the requested
 * isolation, the namespace, the kernel and boot, and the runtimes and `true` found on PATH (path,
 * size, mtime, inode). A runtime failure during a step forgets it (`forgetIsolation`).
 */
import { readFile, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Isolation, ProbeIsolationOptions } from '../executor/index.js';
import { findProgram } from '../userns/prerequisites.js';
import { cachedProbe, forgetProbe } from './probe-cache.js';

const NAME = 'isolation';
const PROGRAMS = ['crun', 'runc', 'true'] as const;

function probeFile(kilnRoot: string): string {
  return join(kilnRoot, 'cache', 'probes.json');
}

async function programIdentity(name: string, pathVar: string | undefined) {
  const path = await findProgram(name, pathVar);
  const st = path === undefined ? undefined : await stat(path).catch(() => undefined);
  return st === undefined ? { name } : { name, path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
}

function isIsolation(value: unknown): value is Isolation {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.kind === 'chroot' || v.kind === 'no-pid-sandbox') return true;
  return v.kind === 'oci' && (v.runtime === 'crun' || v.runtime === 'runc') && typeof v.path === 'string';
}

/** The isolation `probeIsolation` picks, probed at most once per kiln root while its inputs hold. */
export async function probeIsolationCached(
  kilnRoot: string,
  options: ProbeIsolationOptions,
): Promise<Isolation> {
  const { probeIsolation } = await import('../executor/index.js');
  if (options.requested === 'chroot' || options.requested === 'no-pid-sandbox') {
    return (await probeIsolation(options)).isolation;
  }
  const key = {
    requested: options.requested,
    namespace: options.namespace,
    kernel: release(),
    boot: await bootId(),
    programs: await Promise.all(PROGRAMS.map((name) => programIdentity(name, options.pathVar))),
  };
  return cachedProbe({
    file: probeFile(kilnRoot),
    name: NAME,
    key,
    probe: async () => (await probeIsolation(options)).isolation,
    valid: isIsolation,
  });
}

/** Forgets the stored isolation of a kiln root (after the runtime failed to run a step). */
export function forgetIsolation(kilnRoot: string): Promise<void> {
  return forgetProbe(probeFile(kilnRoot), NAME);
}
