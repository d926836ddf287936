/**
 * The other RUN flags: `--network`, `--security`, `--device`.
 */
import { parseGoBool, splitCsvRecord } from './csv-fields.js';
import { argError, type ErrorSite } from './instruction-error.js';
import { oneOf } from './one-of.js';
import type { NetworkMode, RunDevice, SecurityMode } from './types.js';

const NETWORK_MODES: readonly NetworkMode[] = ['default', 'none', 'host'];
const SECURITY_MODES: readonly SecurityMode[] = ['sandbox', 'insecure'];

/** `--network=default|none|host`. */
export function parseNetworkMode(value: string, site: ErrorSite): NetworkMode {
  return oneOf({ value, allowed: NETWORK_MODES, what: 'network mode' }, site);
}

/** `--security=sandbox|insecure`. */
export function parseSecurityMode(value: string, site: ErrorSite): SecurityMode {
  return oneOf({ value, allowed: SECURITY_MODES, what: 'security mode' }, site);
}

/**
 * `--device=<name>[,required[=bool]]` or `--device=name=<name>,...`: the first field without a known key
 * is the device name (CDI names contain `=`), `name=` sets it explicitly, setting it twice is an error.
 */
export function parseDevice(value: string, site: ErrorSite): RunDevice {
  const csv = splitCsvRecord(value);
  if (!csv.ok) throw argError(site, `failed to parse csv device: ${csv.error}`);
  let name: string | undefined;
  let required = false;
  const setName = (next: string): void => {
    if (name !== undefined) throw argError(site, `device name already set to ${name}`);
    name = next;
  };
  for (const field of csv.fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const fieldValue = eq < 0 ? undefined : field.slice(eq + 1);
    if (key === 'required') {
      if (fieldValue === undefined) {
        required = true;
      } else {
        const b = parseGoBool(fieldValue);
        if (b === undefined) throw argError(site, `invalid value for required: ${fieldValue}`);
        required = b;
      }
    } else if (key === 'name' && fieldValue !== undefined) {
      setName(fieldValue);
    } else {
      setName(field);
    }
  }
  if (name === undefined || name === '')
    throw argError(site, `device name is required in ${JSON.stringify(value)}`);
  return { name, required };
}
