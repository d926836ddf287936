import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, KilnError } from '../../errors.js';
import type { CliContext } from '../context.js';

/** Upper bound for a Dockerfile read by the CLI (BuildKit's own limit is far below this). */
const MAX_DOCKERFILE_BYTES = 16 * 1024 * 1024;

/** Reads a text file named on the command line, or stdin for `-`, with a size cap. */
export async function readTextInput(ctx: CliContext, path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.stdin) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > MAX_DOCKERFILE_BYTES) {
        throw new KilnError(ErrorCode.TooLarge, `stdin is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const full = resolve(ctx.cwd, path);
  try {
    const data = await readFile(full);
    if (data.length > MAX_DOCKERFILE_BYTES) {
      throw new KilnError(ErrorCode.TooLarge, `${path} is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
    }
    return data.toString('utf8');
  } catch (error) {
    if (error instanceof KilnError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new KilnError(ErrorCode.Usage, `cannot read ${path}: ${code ?? String(error)}`, { cause: error });
  }
}
