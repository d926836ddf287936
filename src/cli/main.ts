#!/usr/bin/env node
/**
 * The `kiln` executable: argv → options → one library call → output + exit code.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import type { CliContext } from './context.js';
import { processContext } from './process-context.js';
import { renderError } from './render-error.js';

export const VERSION = '0.1.0';

export interface RunCliOptions {
  readonly argv: readonly string[];
  readonly context: Omit<CliContext, 'setExitCode'>;
}

/** Runs the CLI with explicit streams; resolves to the exit code. Never throws for bad input. */
export async function runCli(options: RunCliOptions): Promise<number> {
  let exitCode = 0;
  const ctx: CliContext = { ...options.context, setExitCode: (code) => (exitCode = code) };
  const program = new Command('kiln')
    .description('Daemonless, rootless container image builder')
    .version(VERSION, '-v, --version')
    .option('--root <dir>', 'store directory (default: $KILN_ROOT, $XDG_DATA_HOME/kiln, ~/.local/share/kiln)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  for (const command of commands) command.register(program, ctx);
  try {
    await program.parseAsync(options.argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    ctx.stderr.write(renderError(error, { verbose: ctx.env.KILN_DEBUG === '1' }));
    return exitCode === 0 ? 1 : exitCode;
  }
  return exitCode;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runCli({ argv: process.argv.slice(2), context: processContext() });
}
