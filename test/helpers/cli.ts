/**
 * Runs the real, compiled `kiln` CLI in a child process — as the current user or as the unprivileged
 * test user (`kilntest`, created by scripts/setup-host.sh) — for end-to-end tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  /** Run as this user through runuser(1) (needs root). Omit to run as the current user. */
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
}

export const TEST_USER = 'kilntest';
export const TEST_USER_NO_SUBIDS = 'kilntest-noid';

/** True when this process can switch to the test users (root, and the users exist). */
export function canRunAsTestUser(user = TEST_USER): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('id', ['-u', user]).status === 0;
}

function userCanRead(user: string, path: string): boolean {
  return spawnSync('runuser', ['-u', user, '--', 'test', '-r', path]).status === 0;
}

/**
 * The CLI entry the given user can execute. When the checkout is not readable by that user (e.g. under
 * /root), the built package is copied once into a world-readable temp directory.
 */
export function cliEntryFor(user: string | undefined): string {
  const entry = cliPath();
  if (user === undefined || userCanRead(user, entry)) return entry;
  const copy = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
  for (const name of ['package.json', 'dist', 'node_modules']) {
    const source = join(repoRoot(), name);
    if (existsSync(source)) cpSync(source, join(copy, name), { recursive: true });
  }
  spawnSync('chmod', ['-R', 'a+rX', copy]);
  return join(copy, 'dist', 'src', 'cli', 'main.js');
}

/** Runs `kiln ARGS…` and collects its output. Never rejects for a non-zero exit. */
export function runKiln(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const entry = cliEntryFor(options.user);
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...options.env };
  const command = options.user ? 'runuser' : process.execPath;
  const argv = options.user
    ? [
        '-u',
        options.user,
        '--',
        'env',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        process.execPath,
        entry,
        ...args,
      ]
    : [entry, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd ?? repoRoot(),
      env: options.user ? { PATH: env.PATH } : env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}
