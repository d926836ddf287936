/**
 * ADD sources that are not build-context paths: Git repositories and HTTP(S) URLs.
 */
import { posix } from 'node:path';

export { type GitSource, isHttpSource, parseGitSource } from '../dockerfile/instructions/remote-source.js';

/** The file name ADD gives a downloaded URL: the last path segment, `__unnamed__` when there is none. */
export function httpFileName(src: string): string {
  let pathname: string;
  try {
    pathname = new URL(src).pathname;
  } catch {
    return '__unnamed__';
  }
  const base = posix.basename(pathname);
  return base === '' || base === '.' || base === '/' ? '__unnamed__' : base;
}
