/**
 * The kiln side: `kiln build` run by the unprivileged test user against a store holding the busybox
 * base, writing the result as an OCI archive (`--output type=oci,dest=…`) in the same invocation.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';
import { writeBaseStore } from './base-image.js';

const run = promisify(execFile);

/** A kiln home owned by the test user: `root` is the store, `home` its HOME. */
export interface KilnHome {
  readonly home: string;
  readonly root: string;
}

/** Makes a world-traversable home under `parent` with the base image in its store, owned by the test user. */
export async function makeKilnHome(parent: string): Promise<KilnHome> {
  const home = join(parent, 'kiln-home');
  await mkdir(home, { recursive: true });
  await chmod(parent, 0o755);
  const root = join(home, 'kiln');
  await writeBaseStore(root);
  await chownToTestUser(home);
  return { home, root };
}

/** Gives `path` (recursively) to the test user. */
export async function chownToTestUser(path: string): Promise<void> {
  await run('chown', ['-R', `${TEST_USER}:${TEST_USER}`, path]);
}

/** Options of {@link kilnBuild}. */
export interface KilnBuildOptions {
  readonly context: string;
  readonly tag: string;
  /** Where the image is also written as an OCI archive; its directory must be writable by the test user. */
  readonly archive?: string;
  readonly extraArgs?: readonly string[];
  readonly timeoutMs?: number;
}

/** Builds as the test user; rejects with kiln's stderr on failure. */
export async function kilnBuild(home: KilnHome, options: KilnBuildOptions): Promise<void> {
  const output = options.archive === undefined ? [] : ['--output', `type=oci,dest=${options.archive}`];
  const args = ['build', '--progress', 'quiet', ...output, ...(options.extraArgs ?? [])];
  const result = await runKiln(['--root', home.root, ...args, '-t', options.tag, options.context], {
    user: TEST_USER,
    env: { HOME: home.home },
    cwd: home.home,
    timeoutMs: options.timeoutMs ?? 300_000,
  });
  if (result.code !== 0) throw new Error(`kiln build exited ${result.code}: ${result.stderr.trim()}`);
}

/** Why the kiln side cannot run here (a missing prerequisite, not a kiln failure), or undefined. */
export function kilnUnavailable(): string | undefined {
  return canRunAsTestUser() ? undefined : `needs root and the ${TEST_USER} user (scripts/setup-host.sh)`;
}
