/**
 * ADD sources that are not build-context paths: Git repositories and HTTP(S) URLs. One classification
 * shared by validation (ADD --checksum) and planning.
 */

/** A Git source as ADD accepts it: `<url>[#<ref>[:<subdir>]]`. */
export interface GitSource {
  readonly url: string;
  readonly ref?: string;
  readonly subdir?: string;
}

function splitFragment(src: string): { readonly base: string; readonly fragment?: string } {
  const hash = src.indexOf('#');
  return hash < 0 ? { base: src } : { base: src.slice(0, hash), fragment: src.slice(hash + 1) };
}

/** Parses a Git source (`git@host:repo`, `git://`, `ssh://`, or an HTTP(S) URL ending in `.git`), else undefined. */
export function parseGitSource(src: string): GitSource | undefined {
  const { base, fragment } = splitFragment(src);
  const isGit =
    /^git@[^:]+:.+/.test(base) ||
    /^(git|ssh|git\+ssh):\/\//i.test(base) ||
    (/^https?:\/\//i.test(base) && /\.git\/?$/.test(base.replace(/\?.*$/, '')));
  if (!isGit) return undefined;
  if (fragment === undefined || fragment === '') return { url: base };
  const colon = fragment.indexOf(':');
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const subdir = colon < 0 ? '' : fragment.slice(colon + 1);
  return { url: base, ...(ref === '' ? {} : { ref }), ...(subdir === '' ? {} : { subdir }) };
}

/** True for an HTTP(S) URL that is not a Git repository. */
export function isHttpSource(src: string): boolean {
  return /^https?:\/\//i.test(src) && parseGitSource(src) === undefined;
}
