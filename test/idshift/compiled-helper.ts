// The compiled kiln-idshift for tests that run it directly (as root, outside any step), and the
// owner it recorded on a file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type OwnerEmulation, prepareOwnerEmulation } from '../../src/idshift/index.js';
import { decodeRootlessResource, ROOTLESS_XATTR } from '../../src/layer/rootless-resource.js';

const run = promisify(execFile);

/** Compiles (or reuses) the helper under `kilnRoot`; fails the test when it cannot be used. */
export async function compiledHelper(kilnRoot: string): Promise<string> {
  const warnings: string[] = [];
  const emulation = await prepareOwnerEmulation({
    ownership: 'xattr',
    kilnRoot,
    workDir: kilnRoot,
    warn: (m) => warnings.push(m),
  });
  assert.equal(emulation.kind, 'seccomp', warnings.join('\n'));
  return (emulation as Extract<OwnerEmulation, { kind: 'seccomp' }>).helper;
}

/** The owner recorded in `path`'s user.rootlesscontainers xattr (read with getfattr), or null. */
export async function recordedOwner(path: string): Promise<{ uid: number; gid: number } | null> {
  const args = ['--absolute-names', '-e', 'hex', '-n', ROOTLESS_XATTR, path];
  const out = await run('getfattr', args).catch(() => ({ stdout: '' }));
  const hex = /=0x([0-9a-f]*)/.exec(out.stdout)?.[1];
  return hex === undefined ? null : decodeRootlessResource(Buffer.from(hex, 'hex'));
}
