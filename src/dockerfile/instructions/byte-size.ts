/**
 * Human sizes with binary multipliers, as docker's `units.RAMInBytes` reads them (`64m`, `1.5GiB`, `512`).
 */
const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const MULTIPLIERS: Readonly<Record<string, number>> = {
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

/** Bytes for a size string, or undefined when it is not one. */
export function parseRamBytes(value: string): number | undefined {
  const match = SIZE_RE.exec(value);
  if (match === null) return undefined;
  const amount = Number.parseFloat(match[1]!);
  if (!Number.isFinite(amount)) return undefined;
  const unit = match[2]?.toLowerCase();
  return Math.trunc(amount * (unit === undefined ? 1 : MULTIPLIERS[unit]!));
}
