/**
 * Number formatting shared by the renderers (BuildKit's conventions).
 */
import { assertNever } from '../errors.js';
import type { ProgressUnit } from './events.js';

/** Seconds with one decimal, e.g. `1.2s` (BuildKit's `DONE 1.2s`). */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** Seconds with three decimals and no unit, e.g. `0.123` (the offset of a log line in plain output). */
export function formatOffset(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal byte sizes with up to 3 significant digits, e.g. `3.41MB`, `512B` (like Docker's HumanSize). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const text = unit === 0 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
  return `${text}${BYTE_UNITS[unit]}`;
}

/** `current / total` in the unit, e.g. `1.2MB / 3.4MB`, `3 / 10 files`, or just the current count. */
export function formatCounter(unit: ProgressUnit, current: number, total: number | undefined): string {
  switch (unit) {
    case 'bytes':
      return total === undefined ? formatBytes(current) : `${formatBytes(current)} / ${formatBytes(total)}`;
    case 'files':
      return `${total === undefined ? current : `${current} / ${total}`} files`;
    case 'items':
      return total === undefined ? String(current) : `${current} / ${total}`;
    default:
      return assertNever(unit, 'progress unit');
  }
}
