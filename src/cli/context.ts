import type { Writable } from 'node:stream';
import type { Command } from 'commander';

/** What a command needs from the process, passed explicitly (tests substitute their own). */
export interface CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  /** Commands set this to request a specific exit code (0 by default). */
  setExitCode(code: number): void;
}

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}
