/**
 * The parts of an OCI image config that a Dockerfile decides, in canonical form: absent and empty
 * values are the same (`undefined` fields are dropped), maps are key-sorted, so two builders' configs
 * compare with deepEqual.
 */

/** Canonical config fields (names as in the OCI / docker image config). */
export interface CanonicalConfig {
  readonly Cmd?: readonly string[];
  readonly Entrypoint?: readonly string[];
  readonly Env?: readonly string[];
  readonly User?: string;
  readonly WorkingDir?: string;
  readonly ExposedPorts?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly Healthcheck?: Readonly<Record<string, unknown>>;
  readonly StopSignal?: string;
  readonly Volumes?: readonly string[];
  readonly OnBuild?: readonly string[];
  readonly Shell?: readonly string[];
  /** The image config's top-level `author` (MAINTAINER), kept here so one object holds all. */
  readonly Author?: string;
}

/** The field names of {@link CanonicalConfig}, in output order. */
export const CONFIG_FIELDS = [
  'Cmd',
  'Entrypoint',
  'Env',
  'User',
  'WorkingDir',
  'ExposedPorts',
  'Labels',
  'Healthcheck',
  'StopSignal',
  'Volumes',
  'OnBuild',
  'Shell',
  'Author',
] as const satisfies readonly (keyof CanonicalConfig)[];

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : undefined;
}

function keys(value: unknown): string[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const list = Object.keys(value).sort();
  return list.length > 0 ? list : undefined;
}

function sortedRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k, String(v)])) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Healthcheck with durations as numbers (ns) and only the fields that are set. */
function healthcheck(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    if (v === undefined || v === null || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Canonical form of the `config` object of an OCI image config (`{}` for a missing one), plus the
 * image's top-level `author` when given.
 */
export function canonicalConfig(config: unknown, author?: unknown): CanonicalConfig {
  const c = (config ?? {}) as Record<string, unknown>;
  const raw: Record<keyof CanonicalConfig, unknown> = {
    Cmd: strings(c.Cmd),
    Entrypoint: strings(c.Entrypoint),
    Env: strings(c.Env),
    User: text(c.User),
    WorkingDir: text(c.WorkingDir),
    ExposedPorts: keys(c.ExposedPorts),
    Labels: sortedRecord(c.Labels),
    Healthcheck: healthcheck(c.Healthcheck),
    StopSignal: text(c.StopSignal),
    Volumes: keys(c.Volumes),
    OnBuild: strings(c.OnBuild),
    Shell: strings(c.Shell),
    Author: text(author),
  };
  const out: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) if (raw[field] !== undefined) out[field] = raw[field];
  return out as CanonicalConfig;
}
