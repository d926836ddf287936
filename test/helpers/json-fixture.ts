// Runs a fixture script as another user (runuser, from the repository root) and parses the JSON
// report it prints as its last stdout line.
import { spawn } from 'node:child_process';
import { repoRoot } from './paths.js';

export interface JsonFixtureOptions {
  readonly user: string;
  /** argv after `node`: the fixture (relative to the repository root) and its arguments. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export function runJsonFixtureAs<T>(options: JsonFixtureOptions): Promise<T> {
  const env = { PATH: process.env.PATH, HOME: '/tmp', ...options.env };
  const argv = ['-u', options.user, '--', process.execPath, ...options.args];
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', argv, { cwd: repoRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`no report from ${options.args[0]} (stderr: ${err}) (stdout: ${out})`));
      }
    });
  });
}
