/**
 * Shared by the image commands (images, inspect, tag, rmi, prune): opening the store chosen by the
 * global `--root` option / the context's environment, and small output formatters.
 */
import type { Command } from 'commander';
import { familiarName, parseReference } from '../../oci/reference.js';
import { type LocalStore, openStore } from '../../store/index.js';
import type { CliContext } from '../context.js';

/** Opens the store for a command (`--root` > KILN_ROOT > XDG_DATA_HOME/kiln > ~/.local/share/kiln). */
export function openCliStore(command: Command, ctx: CliContext): Promise<LocalStore> {
  const root = (command.optsWithGlobals() as { root?: string }).root;
  return openStore({ ...(root !== undefined ? { root } : {}), env: ctx.env, cwd: ctx.cwd });
}

/** `1.5MB`-style sizes in SI units, as docker prints them. */
export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const text = unit === 0 ? String(value) : value.toPrecision(3).replace(/\.?0+$/, '');
  return `${text}${units[unit]}`;
}

/** `3 days ago`-style age of an ISO timestamp relative to `now`. */
export function formatAge(iso: string | undefined, now: number): string {
  const then = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(then)) return 'N/A';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const steps: readonly [number, string][] = [
    [365 * 24 * 3600, 'year'],
    [30 * 24 * 3600, 'month'],
    [7 * 24 * 3600, 'week'],
    [24 * 3600, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of steps) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${name}${count === 1 ? '' : 's'} ago`;
  }
  return 'Less than a minute ago';
}

/** The short repository name docker shows (`busybox`, `ghcr.io/o/r`); falls back to the input. */
export function shortRepository(repository: string): string {
  try {
    return familiarName(parseReference(repository, { defaultTag: false }));
  } catch {
    return repository;
  }
}

/** `sha256:abc…` → the first 12 hex characters. */
export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/** Left-aligned columns separated by three spaces, like docker's tables. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
