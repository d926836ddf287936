/**
 * Runs `runCli` in-process against a temp kiln root, for the image command tests.
 */
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main.js';
import { type LocalStore, openStore } from '../../../src/store/index.js';
import { tempRoot } from '../../store/store-fixtures.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StoreCli {
  readonly root: string;
  readonly store: LocalStore;
  kiln(...args: string[]): Promise<CliRun>;
  cleanup(): void;
}

export async function storeCli(): Promise<StoreCli> {
  const root = tempRoot('kiln-cli-');
  const store = await openStore({ root: root.dir });
  const kiln = async (...args: string[]): Promise<CliRun> => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    stderr.on('data', (c: Buffer) => err.push(c));
    const code = await runCli({
      argv: ['--root', root.dir, ...args],
      context: {
        stdout,
        stderr,
        stdin: new PassThrough(),
        env: {},
        cwd: root.dir,
        signal: new AbortController().signal,
      },
    });
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  };
  return { root: root.dir, store, kiln, cleanup: root.cleanup };
}
