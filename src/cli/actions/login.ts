/**
 * `kiln login [-u USER] [-p PASS | --password-stdin] REGISTRY`: verify credentials against the
 * registry, then store them in kiln's auth file.
 */
import { ErrorCode, KilnError } from '../../errors.js';
import { saveCredential } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import {
  credentialPaths,
  openRegistryClient,
  type RegistryCommandOptions,
  registryArgument,
} from './registry-command.js';

export interface LoginOptions extends RegistryCommandOptions {
  readonly username?: string;
  readonly password?: string;
  readonly passwordStdin?: boolean;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export interface LoginArgs {
  readonly registryText: string;
  readonly options: LoginOptions;
}

export async function loginAction(ctx: CliContext, args: LoginArgs): Promise<void> {
  const { registryText, options } = args;
  const registry = registryArgument(registryText);
  if (options.password !== undefined && options.passwordStdin) {
    throw new KilnError(ErrorCode.Usage, '--password and --password-stdin are mutually exclusive');
  }
  if (options.username === undefined || options.username === '') {
    throw new KilnError(ErrorCode.Usage, 'a username is required (-u USER)');
  }
  let password = options.password;
  if (password !== undefined) {
    ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  } else if (options.passwordStdin) {
    password = await readStdin(ctx.stdin);
  }
  if (password === undefined || password === '') {
    throw new KilnError(ErrorCode.Usage, 'a password is required (--password-stdin or -p)');
  }
  const credential = { kind: 'basic', username: options.username, password } as const;
  const client = await openRegistryClient(ctx, { registry }, options);
  try {
    await client.verifyCredential(registry, credential, ctx.signal);
  } finally {
    await client.close();
  }
  const file = credentialPaths(ctx, options).kilnAuthFile;
  await saveCredential(file, registry, credential);
  ctx.stdout.write(`Login Succeeded (credentials saved in ${file})\n`);
}
