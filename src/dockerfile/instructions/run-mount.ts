/**
 * `RUN --mount=...` values: CSV of `key=value` options (and a few bare keys), validated and given
 * BuildKit's defaults (secret target `/run/secrets/<id>`, ssh id `default`, cache id = target, ...).
 */
import { parseRamBytes } from './byte-size.js';
import { parseGoBool, splitCsvRecord } from './csv-fields.js';
import { argError, type ErrorSite } from './instruction-error.js';
import { oneOf } from './one-of.js';
import type { CacheSharing, MountType, RunMount } from './types.js';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const KNOWN_KEYS = [
  'type',
  'from',
  'source',
  'src',
  'target',
  'dst',
  'destination',
  'readonly',
  'ro',
  'readwrite',
  'rw',
  'required',
  'size',
  'id',
  'sharing',
  'mode',
  'uid',
  'gid',
  'env',
] as const;

export interface ParseMountOptions {
  readonly site: ErrorSite;
  /**
   * Expands one option value. Without it (parse time, before variables are known), values holding `$`
   * are kept as written and not validated; `from=` may never hold variables.
   */
  readonly expand?: (value: string) => string;
  /** Index of this mount among the instruction's ssh mounts, for the default socket path. */
  readonly sshIndex: number;
}

interface MountDraft {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readOnly?: boolean;
  required?: boolean;
  sizeBytes?: number;
  id?: string;
  sharing?: CacheSharing;
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
}

function parseUint(value: string, radix: 8 | 10): number | undefined {
  const re = radix === 8 ? /^[0-7]+$/ : /^\d+$/;
  if (!re.test(value)) return undefined;
  const n = Number.parseInt(value, radix);
  return n <= 0xffffffff ? n : undefined;
}

function applyBareKey(draft: MountDraft, key: string, field: string, site: ErrorSite): void {
  switch (key) {
    case 'readonly':
    case 'ro':
      draft.readOnly = true;
      return;
    case 'readwrite':
    case 'rw':
      draft.readOnly = false;
      return;
    case 'required':
      if (draft.type !== 'secret' && draft.type !== 'ssh') {
        throw argError(site, `unexpected key '${key}' for mount type '${draft.type}'`);
      }
      draft.required = true;
      return;
    default:
      throw argError(site, `invalid field '${field}' must be a key=value pair`);
  }
}

function applyKeyValue(draft: MountDraft, key: string, value: string, site: ErrorSite): void {
  const bool = (): boolean => {
    const b = parseGoBool(value);
    if (b === undefined) throw argError(site, `invalid value for ${key}: ${value}`);
    return b;
  };
  const onlyFor = (...types: MountType[]): void => {
    if (!types.includes(draft.type))
      throw argError(site, `unexpected key '${key}' for mount type '${draft.type}'`);
  };
  switch (key) {
    case 'type': {
      const allowed = MOUNT_TYPES;
      draft.type = oneOf({ value, candidate: value.toLowerCase(), allowed, what: 'mount type' }, site);
      return;
    }
    case 'from':
      draft.from = value;
      return;
    case 'source':
    case 'src':
      draft.source = value;
      return;
    case 'target':
    case 'dst':
    case 'destination':
      draft.target = value;
      return;
    case 'readonly':
    case 'ro':
      draft.readOnly = bool();
      return;
    case 'readwrite':
    case 'rw':
      draft.readOnly = !bool();
      return;
    case 'required':
      onlyFor('secret', 'ssh');
      draft.required = bool();
      return;
    case 'size': {
      onlyFor('tmpfs');
      const size = parseRamBytes(value);
      if (size === undefined) throw argError(site, `invalid value for ${key}: ${value}`);
      draft.sizeBytes = size;
      return;
    }
    case 'id':
      draft.id = value;
      return;
    case 'sharing': {
      const allowed = SHARING_MODES;
      draft.sharing = oneOf({ value, candidate: value.toLowerCase(), allowed, what: 'sharing value' }, site);
      return;
    }
    case 'mode':
    case 'uid':
    case 'gid': {
      const n = parseUint(value, key === 'mode' ? 8 : 10);
      if (n === undefined) throw argError(site, `invalid value ${value} for ${key}`);
      draft[key] = n;
      return;
    }
    case 'env':
      onlyFor('secret');
      draft.env = value;
      return;
    default:
      throw argError(site, `unexpected key '${key}' in '${key}=${value}'`);
  }
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return trimmed.slice(slash + 1) || '/';
}

function finish(draft: MountDraft, explicitRo: boolean, options: ParseMountOptions): RunMount {
  const { site } = options;
  const fileInfoAllowed = draft.type === 'secret' || draft.type === 'ssh' || draft.type === 'cache';
  if (!fileInfoAllowed) {
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (draft[key] !== undefined)
        throw argError(site, `${key} not allowed for "${draft.type}" type mounts`);
    }
  }
  if (draft.sharing !== undefined && draft.type !== 'cache') {
    throw argError(site, `invalid cache sharing set for ${draft.type} mount`);
  }
  const needsTarget = (): string => {
    if (draft.target === undefined || draft.target === '') {
      throw argError(site, `mount of type ${draft.type} requires a target (target=<path>)`);
    }
    return draft.target;
  };
  switch (draft.type) {
    case 'bind':
      return {
        type: 'bind',
        target: needsTarget(),
        source: draft.source ?? '/',
        ...(draft.from === undefined ? {} : { from: draft.from }),
        readOnly: explicitRo ? (draft.readOnly ?? true) : true,
      };
    case 'cache': {
      const target = needsTarget();
      return {
        type: 'cache',
        target,
        id: draft.id ?? target,
        sharing: draft.sharing ?? 'shared',
        ...(draft.from === undefined ? {} : { from: draft.from }),
        ...(draft.source === undefined ? {} : { source: draft.source }),
        readOnly: explicitRo ? (draft.readOnly ?? false) : false,
        mode: draft.mode ?? 0o755,
        uid: draft.uid ?? 0,
        gid: draft.gid ?? 0,
      };
    }
    case 'tmpfs':
      return {
        type: 'tmpfs',
        target: needsTarget(),
        ...(draft.sizeBytes === undefined ? {} : { sizeBytes: draft.sizeBytes }),
      };
    case 'secret': {
      if (draft.from !== undefined) throw argError(site, 'secret mount should not have a from');
      if (draft.source !== undefined && draft.id !== undefined)
        throw argError(site, "both source and id can't be set");
      const id = draft.id ?? draft.source ?? (draft.target ? basename(draft.target) : undefined);
      if (id === undefined || id === '') {
        if (draft.env !== undefined && draft.env !== '') {
          // `env=NAME` alone: the id is the variable name.
          return secret(draft, draft.env);
        }
        throw argError(site, 'invalid secret mount. one of source, target required');
      }
      return secret(draft, id);
    }
    case 'ssh':
      if (draft.from !== undefined) throw argError(site, 'ssh mount should not have a from');
      return {
        type: 'ssh',
        id: draft.id || 'default',
        target: draft.target || `/run/buildkit/ssh_agent.${options.sshIndex}`,
        required: draft.required ?? false,
        mode: draft.mode ?? 0o600,
        uid: draft.uid ?? 0,
        gid: draft.gid ?? 0,
      };
  }
}

function secret(draft: MountDraft, id: string): RunMount {
  const target = draft.target || (draft.env === undefined ? `/run/secrets/${id}` : undefined);
  return {
    type: 'secret',
    id,
    ...(target === undefined ? {} : { target }),
    ...(draft.env === undefined ? {} : { env: draft.env }),
    required: draft.required ?? false,
    mode: draft.mode ?? 0o400,
    uid: draft.uid ?? 0,
    gid: draft.gid ?? 0,
  };
}

/** Parses one `--mount` value into a typed mount (E_DOCKERFILE_INSTRUCTION on bad input). */
export function parseMount(spec: string, options: ParseMountOptions): RunMount {
  const { site } = options;
  const csv = splitCsvRecord(spec);
  if (!csv.ok) throw argError(site, `failed to parse csv mounts: ${csv.error}`);
  const draft: MountDraft = { type: 'bind' };
  let explicitRo = false;
  for (const field of csv.fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      applyBareKey(draft, key, field, site);
      if (key !== 'required') explicitRo = true;
      continue;
    }
    let value = field.slice(eq + 1);
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw argError(site, `unexpected key '${key}' in '${field}'`);
    }
    if (key === 'from' && /\$./.test(value)) {
      throw argError(site, `'${key}' doesn't support variable expansion, define alias stage instead`);
    }
    if (options.expand !== undefined) value = options.expand(value);
    else if (value.includes('$') && key !== 'type') {
      // Validated after expansion; keep the raw text for string fields meanwhile.
      if (['from', 'source', 'src', 'target', 'dst', 'destination', 'id', 'env'].includes(key)) {
        applyKeyValue(draft, key, value, site);
      }
      continue;
    }
    applyKeyValue(draft, key, value, site);
    if (['readonly', 'ro', 'readwrite', 'rw'].includes(key)) explicitRo = true;
  }
  return finish(draft, explicitRo, options);
}
