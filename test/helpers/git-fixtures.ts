/**
 * Fixtures for the resolveGitSources tests: the host's git on the test's own repositories (fixed
 * identity, no system config) and a plan made only of git source ops.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BuildPlan, SourceOp, SourceSpec } from '../../src/plan/index.js';

const run = promisify(execFile);

/** `git ARGS` in `cwd` as the test's own tool; resolves the trimmed stdout. */
export async function testGit(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
  });
  return stdout.trim();
}

/** A plan holding one source op per entry (op id = key); enough for resolveGitSources. */
export function gitSourcePlan(sources: Readonly<Record<string, SourceSpec>>): BuildPlan {
  const ops: SourceOp[] = Object.entries(sources).map(([id, source]) => ({
    kind: 'source',
    id,
    inputs: [],
    name: id,
    usedArgs: [],
    source,
  }));
  return { ops } as unknown as BuildPlan;
}
