/**
 * The bits of Go's fmt that BuildKit's history strings use: `%v` of a []string, `%q` of a []string,
 * and time.Duration's String().
 */
import { goQuoteList } from '../dockerfile/parser/go-quote.js';

/** `fmt.Sprintf("%v", []string{...})`: `[a b c]`. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`. */
export function goQuotedList(items: readonly string[]): string {
  return goQuoteList(items);
}

/** Go's fractional formatting: `value / 10^digits` without trailing zeros. */
function fraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  const rest = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return rest === '' ? whole.toString() : `${whole}.${rest}`;
}

/** `time.Duration(ns).String()`: `0s`, `1.5s`, `500ms`, `1m30s`, `2h0m0s`, `-3µs`. */
export function goDuration(nanoseconds: number): string {
  let ns = BigInt(Math.trunc(nanoseconds));
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns === 0n) return '0s';
  if (ns < 1000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${fraction(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${fraction(ns, 6)}ms`;
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const seconds = fraction(ns % 60_000_000_000n, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
