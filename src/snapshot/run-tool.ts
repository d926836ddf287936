/** Running a helper program (mount, umount, cp, getfattr) and failing with its message. */
import { spawn } from 'node:child_process';
import { ErrorCode, type ErrorCodeValue, KilnError } from '../errors.js';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion, collecting its output (small outputs only). */
export function runTool(program: string, args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (cause) =>
      reject(new KilnError(ErrorCode.Snapshot, `cannot run ${program}`, { cause })),
    );
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

/** Runs a program and throws `code` with its stderr when it fails. */
export async function mustRun(
  program: string,
  args: readonly string[],
  code: ErrorCodeValue,
  signal?: AbortSignal,
): Promise<string> {
  const result = await runTool(program, args, signal);
  if (result.code !== 0) {
    throw new KilnError(
      code,
      `${program} ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
    );
  }
  return result.stdout;
}
