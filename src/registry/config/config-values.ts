/**
 * Small typed readers for values of parsed configuration documents (TOML tables, JSON objects):
 * every wrong type becomes an E_REGISTRY_CONFIG error naming the file and the key.
 */
import { ErrorCode, KilnError } from '../../errors.js';

/** A parsed document's table, read with `file` named in errors. */
export type ConfigTable = Readonly<Record<string, unknown>>;

/** An E_REGISTRY_CONFIG error for `file`. */
export function configError(file: string, message: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.RegistryConfig, `${file}: ${message}`, cause === undefined ? {} : { cause });
}

/** True for a plain object (a TOML table or JSON object). */
export function isTable(value: unknown): value is ConfigTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `table[key]` as a table, or undefined when absent. */
export function optionalTable(file: string, table: ConfigTable, key: string): ConfigTable | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (!isTable(value)) throw configError(file, `${key} must be a table`);
  return value;
}

/** `table[key]` as a boolean (`fallback` when absent). */
export function booleanValue(file: string, table: ConfigTable, key: string, fallback: boolean): boolean {
  const value = table[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw configError(file, `${key} must be true or false`);
  return value;
}

/** `table[key]` as a string, or undefined when absent. */
export function optionalString(file: string, table: ConfigTable, key: string): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw configError(file, `${key} must be a string`);
  return value;
}

/** `table[key]` as an array of strings (empty when absent). */
export function stringList(file: string, table: ConfigTable, key: string): readonly string[] {
  const value = table[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw configError(file, `${key} must be an array of strings`);
  }
  return value as string[];
}

/** `table[key]` as an array of tables (empty when absent). */
export function tableList(file: string, table: ConfigTable, key: string): readonly ConfigTable[] {
  const value = table[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isTable)) {
    throw configError(file, `${key} must be an array of tables ([[${key}]])`);
  }
  return value as ConfigTable[];
}

/**
 * A registry location as written in a configuration file: `host[:port][/path]`, no scheme, no
 * trailing slash, host lower-cased; `*.domain` allowed when `wildcard` is.
 */
export function registryLocation(file: string, text: string, what: string, wildcard: boolean): string {
  const value = text.trim().replace(/\/+$/, '');
  if (value === '') throw configError(file, `${what} is empty`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw configError(file, `${what} ${JSON.stringify(text)}: URL schemes are not supported`);
  }
  if (/[\s@]/.test(value) || value.includes('//')) {
    throw configError(file, `${what} ${JSON.stringify(text)} is not host[:port][/path]`);
  }
  if (value.includes('*')) {
    if (!wildcard || !value.startsWith('*.') || value.slice(2).includes('*')) {
      throw configError(file, `${what} ${JSON.stringify(text)}: only a leading "*." wildcard is supported`);
    }
  }
  const slash = value.indexOf('/');
  return slash === -1 ? value.toLowerCase() : value.slice(0, slash).toLowerCase() + value.slice(slash);
}
