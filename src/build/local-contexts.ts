/**
 * `--build-context NAME=DIR` used as `COPY --from=NAME` or `RUN --mount=from=NAME`: the directory is a
 * source op's tree as it is; its content digest (every file, .dockerignore of that directory applied)
 * stands in for the image digest in cache keys.
 */
import { isAbsolute, resolve } from 'node:path';
import { hashSources, openBuildContext, resolveSources } from '../context/index.js';

export interface LocalContextDigest {
  /** Absolute, symlink-free directory. */
  readonly root: string;
  readonly digest: string;
}

/** Hashes a local build context directory. */
export async function digestLocalContext(
  dir: string,
  options: { readonly cwd: string; readonly cacheDir: string; readonly signal?: AbortSignal },
): Promise<LocalContextDigest> {
  const path = isAbsolute(dir) ? dir : resolve(options.cwd, dir);
  const context = await openBuildContext({ source: { kind: 'dir', path }, dockerfileText: '' });
  try {
    const selection = await resolveSources(context, ['.'], {});
    const digest = await hashSources(selection, {
      cacheDir: options.cacheDir,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { root: context.root, digest };
  } finally {
    await context.close();
  }
}
