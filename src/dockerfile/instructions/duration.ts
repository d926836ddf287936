/**
 * Go `time.ParseDuration`, returning nanoseconds (HEALTHCHECK durations are stored that way).
 */
const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds for a Go duration string (`1m30s`, `1.5h`, `0`), or undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^(\d*(?:\.\d*)?)([^\d.]+)/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (match === null) return undefined;
    const number = match[1]!;
    if (number === '' || number === '.') return undefined;
    const unitMatch = /^(ns|us|µs|μs|ms|s|m|h)/.exec(match[2]!);
    if (unitMatch === null || unitMatch[1] !== match[2]) return undefined;
    total += Number.parseFloat(number) * UNITS[unitMatch[1]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * Math.round(total);
}
