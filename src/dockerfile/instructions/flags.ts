/**
 * Instruction flag parsing (`--from=build`, `--link`, repeated `--mount=...`), with BuildKit's BFlags rules:
 * bool flags accept `--x`, `--x=true|false` (any case); string flags need `=`; string-slice flags repeat;
 * a bare `--` ends the flags; unknown and duplicate (non-repeatable) flags are errors.
 */
import { atRange, type ErrorSite, flagError } from './instruction-error.js';

/** How one flag is declared. */
export type FlagDef =
  | { readonly kind: 'bool'; readonly default?: boolean }
  | { readonly kind: 'string'; readonly default?: string }
  | { readonly kind: 'strings' };

/** The flags an instruction accepts, by name (without `--`). */
export type FlagSpec = Readonly<Record<string, FlagDef>>;

export type FlagValue = boolean | string | readonly string[];

/** Parsed flags: every declared flag has a value (its default when absent); `used` lists the given ones. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, FlagValue>>;
  /** Names of the flags that appeared, in order of first appearance. */
  readonly used: readonly string[];
}

function defaultValue(def: FlagDef): FlagValue {
  switch (def.kind) {
    case 'bool':
      return def.default ?? false;
    case 'string':
      return def.default ?? '';
    case 'strings':
      return [];
  }
}

/**
 * BuildKit's parser accepts `--flag value` and stores it as `--flag=value`; a parser may also hand the two
 * words over separately. Joins a non-flag word onto the preceding `=`-less flag.
 */
function joinFlagValues(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    const previous = out[out.length - 1];
    if (!word.startsWith('--') && previous !== undefined && previous !== '--' && !previous.includes('=')) {
      out[out.length - 1] = `${previous}=${word}`;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** Parses flag words against a spec; throws E_UNKNOWN_FLAG (located at `site`) on any problem. */
export function parseFlags(
  rawWords: readonly string[],
  spec: FlagSpec,
  instructionSite: ErrorSite,
): ParsedFlags {
  const words = joinFlagValues(rawWords);
  const ranges = instructionSite.flagRanges;
  const values = new Map<string, FlagValue>();
  for (const [name, def] of Object.entries(spec)) values.set(name, defaultValue(def));
  const used: string[] = [];
  for (const [index, word] of words.entries()) {
    // Errors point at the flag word when the parser recorded where it is.
    const site = atRange(instructionSite, words.length === ranges?.length ? ranges[index] : undefined);
    if (!word.startsWith('--')) throw flagError(site, `arg should start with -- : ${word}`);
    if (word === '--') break;
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const value = eq >= 0 ? body.slice(eq + 1) : '';
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (def === undefined) {
      const known = Object.keys(spec);
      throw flagError(
        site,
        `unknown flag: --${name}`,
        known.length > 0
          ? `accepted flags: ${known.map((k) => `--${k}`).join(', ')}`
          : 'this instruction takes no flags',
      );
    }
    const seen = used.includes(name);
    if (seen && def.kind !== 'strings') throw flagError(site, `duplicate flag specified: --${name}`);
    if (!seen) used.push(name);
    switch (def.kind) {
      case 'bool': {
        if (eq >= 0 && value === '') throw flagError(site, `missing a value on flag: --${name}`);
        const lower = value.toLowerCase();
        if (lower === '' || lower === 'true') values.set(name, true);
        else if (lower === 'false') values.set(name, false);
        else throw flagError(site, `expecting boolean value for flag --${name}, not: ${value}`);
        break;
      }
      case 'string':
        if (eq < 0) throw flagError(site, `missing a value on flag: --${name}`);
        values.set(name, value);
        break;
      case 'strings': {
        if (eq < 0) throw flagError(site, `missing a value on flag: --${name}`);
        const previous = values.get(name) as readonly string[];
        values.set(name, [...previous, value]);
        break;
      }
    }
  }
  return { values: Object.fromEntries(values), used };
}

/** The value of a declared bool flag. */
export function boolFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

/** The value of a declared string flag, or undefined when it was not given and has no non-empty default. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values[name];
  if (typeof value !== 'string') return undefined;
  return flags.used.includes(name) || value !== '' ? value : undefined;
}

/** The values of a declared repeatable flag. */
export function stringsFlag(flags: ParsedFlags, name: string): readonly string[] {
  const value = flags.values[name];
  return Array.isArray(value) ? value : [];
}
