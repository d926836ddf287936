/**
 * Running the host's `git` for `ADD <git url>`: a clean environment (no system or global config, no
 * terminal prompts, no hooks, only the https/http/git/ssh transports, ssh without the user's config),
 * no automatic gc or maintenance, credentials passed through the environment (never on the command
 * line), and — when kiln runs as real root — unprivileged ids instead of root (see git-user.ts).
 */
import { spawn } from 'node:child_process';
import { ErrorCode, KilnError } from '../errors.js';
import { ALLOWED_GIT_PROTOCOLS, redactUrls } from './git-remote.js';

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
const MAX_STDOUT = 64 * 1024 * 1024;
const STDERR_TAIL = 4096;

/** Ids to run git as (when kiln itself is real root). */
export interface GitUser {
  readonly uid: number;
  readonly gid: number;
}

export interface GitCommandOptions {
  /** PATH to find git and ssh (default /usr/local/bin:/usr/bin:/bin). */
  readonly pathVar?: string;
  /** An empty private directory used as HOME (and as the working directory of git). */
  readonly home: string;
  /** Directory git must not look above for a repository (the parent of `home`). */
  readonly ceiling: string;
  /** The `--ssh default` agent socket, for ssh remotes. */
  readonly sshSocket?: string;
  /** `http.<scope>.extraHeader` value (`Authorization: …`) from GIT_AUTH_TOKEN / GIT_AUTH_HEADER. */
  readonly authHeader?: { readonly scope: string; readonly value: string };
  readonly user?: GitUser;
  readonly signal?: AbortSignal;
}

/**
 * Runs `git ARGS` (ARGS[0] the subcommand) in `cwd` (default: the private HOME); resolves its stdout,
 * rejects with E_GIT carrying the end of stderr.
 */
export type GitRunner = (args: readonly string[], cwd?: string) => Promise<string>;

/** The environment every git command of one source runs with. */
export function gitEnvironment(options: GitCommandOptions): Record<string, string> {
  const config: [string, string][] = [
    ['core.hooksPath', '/dev/null'],
    ['core.fsmonitor', 'false'],
    ['advice.detachedHead', 'false'],
    ['init.defaultBranch', 'kiln'],
    ['protocol.version', '2'],
    // Nothing may keep writing in the tree once the command has exited.
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
  ];
  if (options.authHeader !== undefined) {
    config.push([`http.${options.authHeader.scope}.extraHeader`, options.authHeader.value]);
  }
  const env: Record<string, string> = {
    PATH: options.pathVar ?? DEFAULT_PATH,
    HOME: options.home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CEILING_DIRECTORIES: options.ceiling,
    GIT_ALLOW_PROTOCOL: ALLOWED_GIT_PROTOCOLS.join(':'),
    GIT_PROTOCOL_FROM_USER: '0',
    // As BuildKit: no user ssh config; host keys are not checked unless known hosts are given.
    GIT_SSH_COMMAND:
      'ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (options.sshSocket !== undefined) env.SSH_AUTH_SOCK = options.sshSocket;
  return env;
}

/** A runner for one source's git commands. */
export function gitRunner(options: GitCommandOptions): GitRunner {
  const env = gitEnvironment(options);
  return (args, cwd) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('git', [...args], {
        cwd: cwd ?? options.home,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > MAX_STDOUT) child.kill('SIGKILL');
        else out.push(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err = (err + chunk).slice(-STDERR_TAIL);
      });
      child.on('error', (cause) => {
        const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new KilnError(
            options.signal?.aborted === true ? ErrorCode.Aborted : ErrorCode.Git,
            missing ? 'git is not installed (ADD of a git URL runs the host’s git)' : `git: ${cause.message}`,
            { cause, ...(missing ? { hint: 'install git (apt-get install git)' } : {}) },
          ),
        );
      });
      child.on('close', (code, signal) => {
        if (code === 0) {
          resolve(Buffer.concat(out).toString('utf8'));
          return;
        }
        const what = outBytes > MAX_STDOUT ? 'printed too much' : `failed (${signal ?? `exit ${code}`})`;
        const lines = err.split('\n').map((l) => l.trim());
        const detail = redactUrls(
          lines
            .filter((l) => l !== '')
            .slice(-4)
            .join('; '),
        );
        reject(new KilnError(ErrorCode.Git, `git ${args[0]} ${what}${detail === '' ? '' : `: ${detail}`}`));
      });
    });
}
