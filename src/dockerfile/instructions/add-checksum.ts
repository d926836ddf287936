/**
 * `ADD --checksum`: only for HTTP(S) sources (a content digest) and Git sources (a commit).
 */

import { isHttpSource, parseGitSource } from './remote-source.js';

/** Git URLs as the Dockerfile reference lists them for ADD. */
export function isGitSource(src: string): boolean {
  return parseGitSource(src) !== undefined;
}

const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const COMMIT = /^(?:[a-f0-9]{40}|[a-f0-9]{64})$/;

/**
 * Checks `--checksum` against the ADD sources; returns an error message, or undefined when it is valid.
 * `inline` is true when a source is a heredoc.
 */
export function checksumProblem(
  checksum: string,
  sources: readonly string[],
  inline: boolean,
): string | undefined {
  if (inline || sources.length === 0) return 'checksum can only be specified for HTTP(S) and Git sources';
  if (sources.length > 1) return "checksum can't be specified for multiple sources";
  for (const src of sources) {
    if (isGitSource(src)) {
      if (!COMMIT.test(checksum))
        return `invalid checksum ${JSON.stringify(checksum)} for a Git source: want a full commit hash`;
    } else if (isHttpSource(src)) {
      if (!DIGEST.test(checksum)) {
        return `invalid checksum digest format ${JSON.stringify(checksum)}: want sha256:, sha384: or sha512: followed by lowercase hex`;
      }
    } else {
      return `checksum can't be specified for non-HTTP(S) source ${JSON.stringify(src)}`;
    }
  }
  return undefined;
}
