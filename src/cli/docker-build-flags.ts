/**
 * The `docker build` / `docker buildx build` flags kiln does not implement, as data: accepted no-ops
 * (they change nothing in kiln's result) and refused flags (they would change the result, so a build
 * that names one fails with E_USAGE instead of silently ignoring it). Cheap to import: the CLI
 * registers these as options at start-up.
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { BuildFlags } from './build-options.js';

/** A docker flag kiln accepts but has no use for. */
export interface AcceptedDockerFlag {
  /** commander flag spec. */
  readonly spec: string;
  /** Shown in `kiln build --help`. */
  readonly note: string;
}

/** A docker flag kiln refuses; `key` is commander's attribute name for it. */
export interface RefusedDockerFlag {
  readonly spec: string;
  readonly name: string;
  readonly key: string;
  /** Why, appended to "FLAG is not supported by kiln build". */
  readonly reason: string;
}

export const ACCEPTED_DOCKER_FLAGS: readonly AcceptedDockerFlag[] = [
  { spec: '--load', note: "keep the image in kiln's local store (always done)" },
  { spec: '--builder <name>', note: 'ignored: kiln has no builder instances' },
  {
    spec: '--allow <entitlement>',
    note: 'ignored: RUN --security=insecure is refused at the step, network.host is allowed',
  },
  { spec: '--rm', note: 'ignored: kiln keeps no intermediate containers' },
  { spec: '--force-rm', note: 'ignored: kiln keeps no intermediate containers' },
  { spec: '--compress', note: 'ignored: the context is not sent anywhere' },
  { spec: '--disable-content-trust', note: 'ignored: kiln does no content-trust verification' },
];

const NOT_YET = 'not supported yet';
const NO_LIMITS = `${NOT_YET}: kiln sets no resource limits`;

/** A refused flag from its commander spec: name `--cache-from`, attribute key `cacheFrom`. */
function refused(spec: string, reason: string): RefusedDockerFlag {
  const name = /--[a-z-]+/.exec(spec)?.[0] ?? spec;
  const key = name.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return { spec, name, key, reason };
}

export const REFUSED_DOCKER_FLAGS: readonly RefusedDockerFlag[] = [
  refused('--cache-from <source>', `${NOT_YET} (kiln's local cache is used automatically)`),
  refused('--cache-to <destination>', `${NOT_YET} (kiln's local cache is kept automatically)`),
  refused('--attest <spec>', `${NOT_YET}: kiln attaches no attestations`),
  refused('--cgroup-parent <cgroup>', NOT_YET),
  ...[
    '-m, --memory <bytes>',
    '--memory-swap <bytes>',
    '-c, --cpu-shares <n>',
    '--cpu-period <n>',
    '--cpu-quota <n>',
    '--cpuset-cpus <list>',
    '--cpuset-mems <list>',
  ].map((spec) => refused(spec, NO_LIMITS)),
  refused('--security-opt <option>', NOT_YET),
  refused('--squash', NOT_YET),
  refused('--detach', 'kiln has no build server to detach from'),
];

/** The refused flags set in commander's parsed `flags` (by attribute name), in table order. */
export function refusedFlagsIn(flags: Readonly<Record<string, unknown>>): readonly RefusedDockerFlag[] {
  return REFUSED_DOCKER_FLAGS.filter((flag) => flags[flag.key] !== undefined);
}

/** Go's strconv.ParseBool spellings of false (what buildx accepts for `--provenance=false`). */
const FALSE_WORDS: ReadonlySet<string> = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function refuse(name: string, reason: string): KilnError {
  return new KilnError(ErrorCode.Usage, `${name} is not supported by kiln build: ${reason}`, {
    hint: 'see "kiln build --help" and the build flag table in README.md',
  });
}

/**
 * Throws E_USAGE for the first flag that kiln would otherwise have to ignore although it changes the
 * result: the refused table, `--provenance` / `--sbom` other than false, `--call` other than build/check.
 */
export function assertDockerFlagsSupported(flags: BuildFlags): void {
  const [refused] = refusedFlagsIn(flags as unknown as Readonly<Record<string, unknown>>);
  if (refused !== undefined) throw refuse(refused.name, refused.reason);
  for (const [name, value] of [
    ['--provenance', flags.provenance],
    ['--sbom', flags.sbom],
  ] as const) {
    if (value !== undefined && (value === true || !FALSE_WORDS.has(value))) {
      throw refuse(name, 'attestations are not supported yet; only false is accepted');
    }
  }
  if (flags.call !== undefined && flags.call !== 'build' && flags.call !== 'check') {
    throw refuse(`--call=${flags.call}`, 'only build and check are supported');
  }
}

/** `--check` or `--call=check`. */
export function wantsCheck(flags: BuildFlags): boolean {
  return flags.check === true || flags.call === 'check';
}
