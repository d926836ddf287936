/**
 * The transport and credential flags every registry command accepts (definitions only; the clients
 * are made in ../actions/registry-command.ts when a command runs).
 */
import type { Command } from 'commander';

/** Options every registry command accepts. */
export interface RegistryCommandOptions {
  readonly insecure?: boolean;
  readonly tlsCaFile?: string;
  readonly tlsVerify?: boolean;
  readonly authfile?: string;
}

/** Adds `--insecure`, `--tls-ca-file`, `--no-tls-verify` and `--authfile` to a command. */
export function withRegistryOptions(command: Command): Command {
  return command
    .option(
      '--insecure',
      'use plain HTTP for this registry (always done for localhost / 127.0.0.0/8 / ::1, and for registries marked insecure in registries.conf or kiln/registries.json)',
    )
    .option('--tls-ca-file <file>', 'PEM file with extra CA certificates to trust')
    .option('--no-tls-verify', 'do not verify TLS certificates (dangerous)')
    .option(
      '--authfile <file>',
      "kiln's auth file (default: $KILN_AUTH_FILE or $XDG_CONFIG_HOME/kiln/auth.json)",
    );
}
