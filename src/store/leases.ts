/**
 * GC leases: one small JSON file per lease under `kiln/leases/`, written only by its owner.
 * `prune` keeps every digest named by an active lease (not expired, owner process alive).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { asDigest, type Digest } from '../oci/digest.js';
import { isProcessAlive, writeFileAtomic } from './atomic-file.js';
import type { StorePaths } from './store-paths.js';
import type { Lease } from './types.js';

export interface LeaseOptions {
  /** How long the lease lasts even if never released. Default one hour. */
  readonly ttlMs?: number;
}

interface LeaseRecord {
  readonly version: 1;
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly expires: string;
  readonly digests: readonly string[];
}

/** Creates a lease file and returns its handle. */
export async function createLease(paths: StorePaths, options: LeaseOptions = {}): Promise<Lease> {
  const id = randomUUID();
  const file = join(paths.leasesDir, `${id}.json`);
  const expires = new Date(Date.now() + (options.ttlMs ?? 3_600_000)).toISOString();
  const digests = new Set<Digest>();
  let released = false;
  const save = async (): Promise<void> => {
    const record: LeaseRecord = {
      version: 1,
      id,
      pid: process.pid,
      host: hostname(),
      expires,
      digests: [...digests],
    };
    // A lease is void once its process is gone, so it need not survive a crash (no fsync): a
    // cached build rewrites it several times.
    await writeFileAtomic(file, `${JSON.stringify(record)}\n`, { tmpDir: paths.tmpDir, durable: false });
  };
  await mkdir(paths.leasesDir, { recursive: true });
  await save();
  return {
    id,
    async add(...more: readonly Digest[]) {
      if (released) return;
      const before = digests.size;
      for (const digest of more) digests.add(digest);
      if (digests.size !== before) await save();
    },
    async release() {
      released = true;
      await rm(file, { force: true });
    },
  };
}

/** Digests held by active leases; removes lease files that are expired or whose owner died. */
export async function activeLeaseDigests(paths: StorePaths, now = Date.now()): Promise<ReadonlySet<Digest>> {
  const held = new Set<Digest>();
  let names: string[];
  try {
    names = await readdir(paths.leasesDir);
  } catch {
    return held;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(paths.leasesDir, name);
    let record: LeaseRecord;
    try {
      record = JSON.parse(await readFile(file, 'utf8')) as LeaseRecord;
    } catch {
      continue; // Vanished (released) while listing; an unreadable one is left for a human.
    }
    const dead = record.host === hostname() && !isProcessAlive(record.pid);
    if (dead || Date.parse(record.expires) <= now) {
      await rm(file, { force: true });
      continue;
    }
    for (const digest of record.digests ?? []) {
      try {
        held.add(asDigest(digest));
      } catch {
        // Ignore malformed entries.
      }
    }
  }
  return held;
}
