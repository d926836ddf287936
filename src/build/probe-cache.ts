/**
 * Host probe results kept in a file of the kiln root, so that only the first build that needs a probe
 * pays for it. Each entry holds the key it was probed under (everything the result depends on, as
 * JSON); a different key, an unreadable file or a value that fails `valid` means probing again.
 * Writers replace the whole file atomically; two builds racing lose at most an entry (probed again).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';

const FORMAT = 1;

interface ProbeFile {
  readonly format: number;
  readonly entries: Readonly<Record<string, { readonly key: string; readonly value: unknown }>>;
}

export interface CachedProbeOptions<T> {
  /** The cache file, e.g. `<kilnRoot>/cache/probes.json`. */
  readonly file: string;
  /** The probe's name in the file. */
  readonly name: string;
  /** What the result depends on (JSON-serialisable). */
  readonly key: unknown;
  readonly probe: () => Promise<T>;
  /** Whether a stored value is a well-formed result. */
  readonly valid: (value: unknown) => value is T;
}

async function readProbeFile(file: string): Promise<ProbeFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<ProbeFile>;
    if (parsed.format === FORMAT && typeof parsed.entries === 'object' && parsed.entries !== null) {
      return { format: FORMAT, entries: parsed.entries };
    }
  } catch {
    // Missing or damaged: probe again.
  }
  return { format: FORMAT, entries: {} };
}

async function writeEntry(file: string, name: string, entry: { key: string; value: unknown } | undefined) {
  const current = await readProbeFile(file);
  const entries = { ...current.entries };
  if (entry === undefined) {
    if (!(name in entries)) return;
    delete entries[name];
  } else {
    entries[name] = entry;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify({ format: FORMAT, entries })}\n`, { tmpDir: dirname(file) });
}

/** The stored result when its key matches, else the probe's (stored when it succeeds). */
export async function cachedProbe<T>(options: CachedProbeOptions<T>): Promise<T> {
  const key = JSON.stringify(options.key);
  const stored = (await readProbeFile(options.file)).entries[options.name];
  if (stored !== undefined && stored.key === key && options.valid(stored.value)) return stored.value;
  const value = await options.probe();
  // A cache that cannot be written only costs the next build a probe.
  await writeEntry(options.file, options.name, { key, value }).catch(() => undefined);
  return value;
}

/** Drops a stored result (the next build probes again). */
export async function forgetProbe(file: string, name: string): Promise<void> {
  await writeEntry(file, name, undefined).catch(() => undefined);
}
