/**
 * RUN / CMD / ENTRYPOINT argv as BuildKit builds them: exec form as is, shell form appended to the
 * stage's SHELL (`/bin/sh -c` by default), RUN heredocs run as a script file (shebang) or piped text.
 */

import { heredocReference } from '../dockerfile/instructions/command-line.js';
import type { CommandLine } from '../dockerfile/instructions/types.js';
import { chompHeredocContent } from '../dockerfile/parser/heredoc.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { InlineFile } from './types.js';

/** The shell BuildKit uses when the image has no SHELL. */
export function defaultShell(os: string): readonly string[] {
  return os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

/** `withShell`: the shell (image SHELL or default) followed by the words joined with spaces. */
export function withShell(shell: readonly string[], args: readonly string[]): readonly string[] {
  return [...shell, args.join(' ')];
}

/** Where a heredoc script with a shebang is mounted. */
export const HEREDOC_PIPES_DIR = '/dev/pipes/';

/** RUN after heredoc handling. */
export interface RunArgv {
  readonly argv: readonly string[];
  /** Files to mount read-only at `HEREDOC_PIPES_DIR` (a heredoc script with a shebang). */
  readonly inlineFiles: readonly InlineFile[];
  /** BuildKit's progress-name suffix for a single heredoc (`(first line...)`). */
  readonly summary?: string;
}

function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replaceAll('\r\n', '\n').split('\n');
  return lines.length > 1 ? `${lines[0]}...` : (lines[0] ?? '');
}

/**
 * The argv of a RUN. A lone heredoc (`RUN <<EOF`) becomes a script run from /dev/pipes when its body
 * starts with `#!`, else its body is given to the shell as the command; other heredoc uses (`RUN cat
 * <<EOF > f`) are handed to the shell with the bodies appended, for the shell to interpret.
 */
export function runArgv(
  command: CommandLine,
  options: { readonly shell: readonly string[]; readonly os: string; readonly location: SourceLocation },
): RunArgv {
  if (command.form === 'exec') {
    if (command.files.length > 0) {
      throw new KilnError(ErrorCode.DockerfileInstruction, 'parsing produced an invalid run command', {
        location: options.location,
      });
    }
    return { argv: command.args, inlineFiles: [] };
  }
  const first = command.files[0];
  if (first === undefined) return { argv: withShell(options.shell, command.args), inlineFiles: [] };
  if (command.args.length !== 1) {
    throw new KilnError(ErrorCode.DockerfileInstruction, 'parsing produced an invalid run command', {
      location: options.location,
    });
  }
  const line = command.args[0]!;
  if (heredocReference(line) !== undefined) {
    const data = first.chomp ? chompHeredocContent(first.data) : first.data;
    const summary = summarizeHeredoc(first.data);
    if (options.os !== 'windows' && data.startsWith('#!')) {
      const file: InlineFile = { path: first.name, data, mode: 0o755 };
      return {
        argv: withShell(options.shell, [`${HEREDOC_PIPES_DIR}${first.name}`]),
        inlineFiles: [file],
        summary,
      };
    }
    return { argv: withShell(options.shell, [data]), inlineFiles: [], summary };
  }
  const full = command.files.reduce((text, f) => `${text}\n${f.data}${f.name}`, line);
  return { argv: withShell(options.shell, [full]), inlineFiles: [] };
}

/** CMD / ENTRYPOINT / HEALTHCHECK-less command lines: exec form as is, shell form with the shell. */
export function configArgv(command: CommandLine, shell: readonly string[]): readonly string[] {
  return command.form === 'exec' ? command.args : withShell(shell, command.args);
}
