/**
 * The buildah side: rootless buildah run by the unprivileged test user (as kiln is), with a private
 * storage (vfs by default), the base image pulled from an oci-archive and named `busybox`,
 * `buildah build --isolation chroot --format docker`, then `buildah push -f v2s2` into an OCI layout
 * (docker format keeps Healthcheck, OnBuild and Shell, which the OCI config has no fields for).
 * `--isolation chroot` because the default OCI isolation fails rootless on this kind of host (crun:
 * "cgroups in hybrid mode not supported"; runc: needs CNI for the default network).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canRunAsTestUser, TEST_USER } from '../helpers/cli.js';
import { BASE_REF } from './base-image.js';

const run = promisify(execFile);

/** Why buildah cannot run here, or undefined when it can. */
export function buildahUnavailable(): string | undefined {
  if (!canRunAsTestUser()) return `needs root and the ${TEST_USER} user to run buildah rootless`;
  if (spawnSync('buildah', ['--version']).status !== 0) return 'buildah is not installed';
  if (spawnSync('skopeo', ['--version']).status !== 0) return 'skopeo is not installed';
  return undefined;
}

/** A buildah storage under one directory, used by one user. */
export interface Buildah {
  /** Runs `buildah ARGS…` on this storage; rejects with buildah's stderr on failure. */
  run(args: readonly string[]): Promise<string>;
}

/** Options of {@link openBuildah}. */
export interface OpenBuildahOptions {
  /** Storage driver: vfs works everywhere; overlay needs (rootless) kernel overlayfs. Default vfs. */
  readonly driver?: 'vfs' | 'overlay';
  /** Who runs buildah: the test user (rootless, the default) or root. */
  readonly user?: 'test-user' | 'root';
  /**
   * Re-commit the base once so that `--layers` caching works: buildah 1.28 never reuses a cached step
   * on a base whose history has no `created` time (the test fixture's). Changes only history/created.
   */
  readonly cacheableBase?: boolean;
}

/** Makes `path` a directory owned by the test user (contexts, output layouts, buildah's home). */
export async function testUserDir(path: string, mode = 0o755): Promise<void> {
  await mkdir(path, { recursive: true });
  await chmod(path, mode);
  await run('chown', [`${TEST_USER}:${TEST_USER}`, path]);
}

function commandLine(dir: string, rootless: boolean, args: readonly string[]): [string, string[]] {
  if (!rootless) return ['buildah', [...args]];
  const env = [
    `PATH=${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    `HOME=${dir}`,
    `XDG_RUNTIME_DIR=${join(dir, 'xdg')}`,
    `TMPDIR=${join(dir, 'tmp')}`,
  ];
  return ['runuser', ['-u', TEST_USER, '--', 'env', '-i', ...env, 'buildah', ...args]];
}

/** A buildah with its storage under `dir` and the base image (an oci-archive) loaded as busybox. */
export async function openBuildah(
  dir: string,
  baseArchive: string,
  options: OpenBuildahOptions = {},
): Promise<Buildah> {
  const rootless = (options.user ?? 'test-user') === 'test-user';
  await mkdir(dir, { recursive: true });
  if (rootless) {
    await testUserDir(dir);
    await testUserDir(join(dir, 'xdg'), 0o700);
    await testUserDir(join(dir, 'tmp'));
  }
  const global = [
    '--storage-driver',
    options.driver ?? 'vfs',
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
  ];
  const buildah: Buildah = {
    async run(args) {
      const [command, argv] = commandLine(dir, rootless, [...global, ...args]);
      try {
        const { stdout } = await run(command, argv, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
        return stdout.trim();
      } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`buildah ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
      }
    },
  };
  let id = await buildah.run(['pull', '--quiet', `oci-archive:${baseArchive}`]);
  if (options.cacheableBase === true) {
    const container = await buildah.run(['from', '--pull=never', id]);
    id = await buildah.run(['commit', '--quiet', '--format', 'docker', '--rm', container]);
  }
  await buildah.run(['tag', id, BASE_REF]);
  return buildah;
}

/** Options of {@link buildahBuild}. */
export interface BuildahBuildOptions {
  readonly context: string;
  readonly tag: string;
  /** Where the result is pushed as an OCI layout (image ref = `tag`); its parent must be writable. */
  readonly layout?: string;
  readonly extraArgs?: readonly string[];
}

/** Builds the context's Dockerfile and pushes the image into `layout`. */
export async function buildahBuild(buildah: Buildah, options: BuildahBuildOptions): Promise<void> {
  await buildah.run([
    'build',
    '--quiet',
    '--pull=never',
    '--isolation',
    'chroot',
    '--format',
    'docker',
    ...(options.extraArgs ?? []),
    '-t',
    options.tag,
    options.context,
  ]);
  if (options.layout !== undefined) {
    await buildah.run(['push', '--quiet', '-f', 'v2s2', options.tag, `oci:${options.layout}:${options.tag}`]);
  }
}
