/**
 * Shared pieces of the `kiln build` end-to-end tests: a home directory owned by the unprivileged test
 * user, the real CLI run as that user with its own kiln root, rootless podman as that user, a busybox
 * base pushed to a test registry, and readers for plain and rawjson progress.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import type { TestRegistry } from '../harness/registry.js';
import { writeBusyboxImage } from './busybox-image.js';
import { type CliResult, runKiln, TEST_USER } from './cli.js';

const run = promisify(execFile);

/** A world-readable temp directory that will belong to the test user (see `handOver`). */
export async function makeHome(prefix: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  await chmod(home, 0o755);
  return home;
}

/** Gives `path` (recursively) to the test user. */
export async function handOver(path: string, user = TEST_USER): Promise<void> {
  await run('chown', ['-R', `${user}:${user}`, path]);
}

/** Writes files (parents made) below `dir`. */
export async function writeTree(
  dir: string,
  files: Readonly<Record<string, string | Buffer>>,
): Promise<void> {
  for (const [name, data] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), data);
  }
}

export type KilnAsUser = (
  args: readonly string[],
  options?: { readonly env?: Record<string, string>; readonly cwd?: string },
) => Promise<CliResult>;

/** `kiln --root ROOT …` as the test user with HOME=home. */
export function kilnAs(home: string, root: string, user = TEST_USER): KilnAsUser {
  return (args, options = {}) =>
    runKiln(['--root', root, ...args], {
      user,
      env: { HOME: home, ...options.env },
      cwd: options.cwd ?? home,
      timeoutMs: 600_000,
    });
}

/** Writes the busybox fixture into a seed store and pushes it to `registry` as `name`; returns the ref. */
export async function pushBusyboxBase(home: string, registry: TestRegistry, name: string): Promise<string> {
  const seed = join(home, 'seed');
  await writeBusyboxImage(await openStore({ root: seed, env: {} }), 'busybox:latest');
  await handOver(seed);
  const ref = `${registry.host}/${name}`;
  const pushed = await kilnAs(home, seed)(['push', 'busybox:latest', ref]);
  if (pushed.code !== 0) throw new Error(`pushing the base failed: ${pushed.stderr}`);
  return ref;
}

/** Runs `argv` as `user` with HOME and the XDG directories inside `home`; resolves with its stdout. */
export async function asUser(user: string, home: string, argv: readonly string[]): Promise<string> {
  const { stdout } = await run(
    'runuser',
    [
      '-u',
      user,
      '--',
      'env',
      `HOME=${home}`,
      `XDG_RUNTIME_DIR=${home}/run`,
      `XDG_CONFIG_HOME=${home}/.config`,
      `XDG_DATA_HOME=${home}/.local/share`,
      ...argv,
    ],
    { cwd: home, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
  );
  return stdout;
}

/** Rootless podman as the test user, its storage inside `home` (which must belong to the user). */
export async function podmanAs(home: string, args: readonly string[], user = TEST_USER): Promise<string> {
  await mkdir(join(home, 'run'), { recursive: true });
  await chmod(join(home, 'run'), 0o700);
  await handOver(join(home, 'run'), user);
  return asUser(user, home, [
    'podman',
    '--root',
    `${home}/podman-root`,
    '--runroot',
    `${home}/run/podman`,
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'none',
    ...args,
  ]);
}

/**
 * Pulls `ref` from a plain-HTTP test registry and runs it (`--network host`, `extra` run options, then
 * `command` after the image); returns its stdout.
 */
export async function podmanPullRun(
  home: string,
  ref: string,
  extra: readonly string[] = [],
  command: readonly string[] = [],
): Promise<string> {
  await podmanAs(home, ['pull', '-q', '--tls-verify=false', ref]);
  return podmanAs(home, ['--runtime', 'runc', 'run', '--rm', '--network', 'host', ...extra, ref, ...command]);
}

/** The image config blob as stored (`skopeo inspect --config --raw`; without --raw skopeo drops Healthcheck, OnBuild, Shell). */
export async function skopeoConfig(ref: string): Promise<{
  readonly author?: string;
  readonly config: Record<string, unknown>;
  readonly history: readonly { readonly created_by?: string; readonly empty_layer?: boolean }[];
  readonly rootfs: { readonly diff_ids: readonly string[] };
}> {
  const { stdout } = await run('skopeo', [
    'inspect',
    '--config',
    '--raw',
    '--tls-verify=false',
    `docker://${ref}`,
  ]);
  return JSON.parse(stdout);
}

/** The manifest digest of `ref` in the registry. */
export async function skopeoDigest(ref: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]);
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

/** Plain progress: the names of the steps marked CACHED, and of those that ran. */
export function plainSteps(stderr: string): { readonly cached: string[]; readonly ran: string[] } {
  const names = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of stderr.split('\n')) {
    const start = /^#(\d+) (\[.*)$/.exec(line);
    if (start !== null && !names.has(start[1]!)) names.set(start[1]!, start[2]!);
    const hit = /^#(\d+) CACHED$/.exec(line);
    if (hit !== null) cached.add(hit[1]!);
  }
  const steps = [...names].filter(([, name]) => !/^\[internal\]|\] FROM /.test(name));
  return {
    cached: steps.filter(([id]) => cached.has(id)).map(([, n]) => n),
    ran: steps.filter(([id]) => !cached.has(id)).map(([, n]) => n),
  };
}

/** One rawjson progress event (the fields the tests read). */
export interface RawEvent {
  readonly kind: string;
  readonly time: number;
  readonly id?: string;
  readonly name?: string;
}

/** Parses `--progress rawjson` output. */
export function rawEvents(stderr: string): RawEvent[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RawEvent);
}
