/**
 * Choosing the owner emulation once per build: native ownership needs none; the single-id fallback
 * compiles kiln-idshift (cached under kiln's root, keyed by source and architecture), probes it, and
 * falls back to today's behaviour — RUN steps cannot chown to other ids — with one warning.
 */
import { lstat, readFile, rm } from 'node:fs/promises';
import { ErrorCode, isKilnError } from '../errors.js';
import { buildIdshiftHelper, checkIdshiftHelper } from './build-helper.js';
import { helperPath } from './helper-cache.js';
import { idshiftSourcePath } from './helper-source.js';
import type { OwnerEmulation } from './types.js';

export interface PrepareOwnerEmulationOptions {
  /** The namespace's ownership strategy (`xattr` = the single-id fallback). */
  readonly ownership: 'native' | 'xattr';
  /** kiln's root directory: the compiled helper is cached in `<kilnRoot>/helpers`. */
  readonly kilnRoot: string;
  /** A directory on the filesystem RUN steps write to (the probe's scratch file goes there). */
  readonly workDir: string;
  /** PATH to find the C compiler with. */
  readonly pathVar?: string;
  /** Told once, when the single-id fallback has to do without the helper. */
  readonly warn: (message: string, hint?: string) => void;
  readonly signal?: AbortSignal;
}

/** A usable cached binary: a regular file of ours that nobody else can write. */
async function usable(path: string): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return false;
  const ours =
    st.isFile() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0 && (st.mode & 0o100) !== 0;
  if (!ours) await rm(path, { force: true });
  return ours;
}

async function cachedHelper(options: PrepareOwnerEmulationOptions): Promise<string> {
  const source = idshiftSourcePath();
  const path = helperPath(options.kilnRoot, await readFile(source), process.arch);
  if (await usable(path)) return path;
  return buildIdshiftHelper({
    output: path,
    source,
    ...(options.pathVar === undefined ? {} : { pathVar: options.pathVar }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** The emulation RUN steps get; never throws E_IDSHIFT (that becomes the warning). */
export async function prepareOwnerEmulation(options: PrepareOwnerEmulationOptions): Promise<OwnerEmulation> {
  if (options.ownership === 'native') return { kind: 'native' };
  try {
    const helper = await cachedHelper(options);
    await checkIdshiftHelper({
      helper,
      workDir: options.workDir,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { kind: 'seccomp', helper, fakeStat: true };
  } catch (error) {
    if (!isKilnError(error) || error.code !== ErrorCode.IdShift) throw error;
    options.warn(
      `single-id mode: RUN steps cannot chown to other ids (${error.message})`,
      error.hint === undefined ? undefined : `${error.hint}; or give the user a subordinate id range`,
    );
    return { kind: 'native' };
  }
}
