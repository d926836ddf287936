/**
 * Helpers for commander option values that the cheap command definitions need (no library imports).
 */

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
