/**
 * The CLI context of this process (its streams, environment and working directory) with an abort
 * signal: the first SIGINT / SIGTERM aborts it, a second exits 130 at once.
 */
import type { CliContext } from './context.js';

/** Installs the signal handlers and returns the context; call once, from a process's entry point. */
export function processContext(): Omit<CliContext, 'setExitCode'> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}
