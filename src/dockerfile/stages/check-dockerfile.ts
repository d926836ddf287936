/**
 * `checkDockerfile(text)`: the single call `kiln build --check` makes — parse, type, expand, check.
 */
import { parseDockerfile } from '../parser/index.js';
import { type CheckOptions, type CheckResult, resolveDockerfile } from './resolve-dockerfile.js';

/**
 * Parses and checks a Dockerfile. Errors (syntax, bad instructions, expansion, unknown target, cycles,
 * duplicate stage names) are thrown as located KilnErrors; warnings are returned as diagnostics.
 */
export function checkDockerfile(text: string, options: CheckOptions = {}): CheckResult {
  const ast = parseDockerfile(text, options.file === undefined ? {} : { file: options.file });
  return resolveDockerfile(ast, options);
}
