/**
 * Platforms (`os/arch[/variant]`): parsing and normalisation as containerd does, formatting,
 * a default from explicit host facts, and choosing the best manifest from an index.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { DockerAnnotation } from './media-types.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

/** A normalised platform: lowercase, canonical arch names, canonical variant ("" when implied). */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  /** Empty when the default variant applies (arm → v7 is kept explicit, arm64 v8 / amd64 v1 become ""). */
  readonly variant: string;
}

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);
const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);
const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's normalizeArch: aliases and default variants. */
export function normalizeArch(
  arch: string,
  variant: string,
): { readonly architecture: string; readonly variant: string } {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return { architecture: '386', variant: '' };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return { architecture: 'amd64', variant: v === 'v1' ? '' : v };
    case 'aarch64':
    case 'arm64':
      if (v === '8' || v === 'v8' || v === 'v8.0') return { architecture: 'arm64', variant: '' };
      if (v === '9' || v === '9.0' || v === 'v9.0') return { architecture: 'arm64', variant: 'v9' };
      return { architecture: 'arm64', variant: v };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      if (v === '' || v === '7') return { architecture: 'arm', variant: 'v7' };
      if (v === '5' || v === '6' || v === '8') return { architecture: 'arm', variant: `v${v}` };
      return { architecture: 'arm', variant: v };
    default:
      return { architecture: a, variant: v };
  }
}

/** Normalises a platform object (from an index, a config, or user input). */
export function normalizePlatform(p: {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}): PlatformSpec {
  const { architecture, variant } = normalizeArch(p.architecture, p.variant ?? '');
  return { os: normalizeOs(p.os), architecture, variant };
}

export interface ParsePlatformOptions {
  /** Fills the missing half of a one-component specifier (`linux` or `arm64`); see `defaultPlatform`. */
  readonly defaults?: PlatformSpec;
}

function platformError(input: string, why: string): KilnError {
  return new KilnError(ErrorCode.Platform, `invalid platform ${JSON.stringify(input)}: ${why}`, {
    hint: 'use os/arch[/variant], e.g. linux/amd64 or linux/arm/v7',
  });
}

/**
 * Parses `os/arch[/variant]`, `os`, or `arch` and normalises it (x86_64 → amd64, aarch64 → arm64,
 * arm → arm/v7, arm64/v8 → arm64). Throws KilnError(E_PLATFORM).
 */
export function parsePlatform(input: string, options: ParsePlatformOptions = {}): PlatformSpec {
  const parts = input.split('/');
  if (input.includes('*')) throw platformError(input, 'wildcards are not supported');
  for (const part of parts) {
    if (!COMPONENT_RE.test(part)) throw platformError(input, `bad component ${JSON.stringify(part)}`);
  }
  switch (parts.length) {
    case 1: {
      const word = parts[0]!;
      const os = normalizeOs(word);
      const defaults = options.defaults;
      if (KNOWN_OS.has(os)) {
        if (defaults === undefined) throw platformError(input, 'no architecture given and no default known');
        return { os, architecture: defaults.architecture, variant: defaults.variant };
      }
      const arch = normalizeArch(word, '');
      if (KNOWN_ARCH.has(arch.architecture)) {
        return { os: defaults?.os ?? 'linux', ...arch };
      }
      throw platformError(input, 'unknown operating system or architecture');
    }
    case 2:
    case 3:
      return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] ?? '' });
    default:
      throw platformError(input, 'too many components');
  }
}

/** `os/arch[/variant]` of a normalised platform; the implied arm variant v7 is printed (`linux/arm/v7`). */
export function formatPlatform(p: PlatformSpec): string {
  return p.variant === '' ? `${p.os}/${p.architecture}` : `${p.os}/${p.architecture}/${p.variant}`;
}

/** The platform as it is written in OCI JSON (no empty variant). */
export function toOciPlatform(p: PlatformSpec): Platform {
  return p.variant === ''
    ? { architecture: p.architecture, os: p.os }
    : { architecture: p.architecture, os: p.os, variant: p.variant };
}

/** Host facts, as Node reports them (`process.platform`, `process.arch`), passed in explicitly. */
export interface HostFacts {
  readonly platform: string;
  readonly arch: string;
  /** `process.config.variables.arm_version` on 32-bit arm (e.g. `'7'`). */
  readonly armVersion?: string;
}

const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/**
 * The default build/target platform for a host. Container images are Linux images unless the host is
 * Windows (as on Docker Desktop, where a macOS host builds linux/arm64 or linux/amd64).
 */
export function defaultPlatform(host: HostFacts): PlatformSpec {
  const arch = Object.hasOwn(NODE_ARCH, host.arch) ? NODE_ARCH[host.arch]! : host.arch;
  const os = host.platform === 'win32' ? 'windows' : 'linux';
  return normalizePlatform({
    os,
    architecture: arch,
    variant: arch === 'arm' ? (host.armVersion ?? '') : '',
  });
}

/** Variants a platform can also run, best first (containerd's platforms.Only compatibility). */
function compatibleVariants(p: PlatformSpec): readonly PlatformSpec[] {
  const same = (variant: string): PlatformSpec => ({ ...p, variant });
  const arm = (variants: readonly string[]): PlatformSpec[] =>
    variants.map((variant) => ({ os: p.os, architecture: 'arm', variant }));
  const armBelow = (v: number): string[] => [8, 7, 6, 5].filter((n) => n < v).map((n) => `v${n}`);
  switch (p.architecture) {
    case 'arm': {
      const v = Number(p.variant.slice(1));
      return Number.isInteger(v) ? arm(armBelow(v)) : [];
    }
    case 'amd64': {
      const v = p.variant === '' ? 1 : Number(p.variant.slice(1));
      if (!Number.isInteger(v)) return [];
      const lower: PlatformSpec[] = [];
      for (let n = v - 1; n >= 1; n--) lower.push(same(n === 1 ? '' : `v${n}`));
      return lower;
    }
    case 'arm64': {
      const lower: PlatformSpec[] = [];
      if (p.variant !== '') lower.push(same(''));
      return [...lower, ...arm(['v8', 'v7', 'v6', 'v5'])];
    }
    default:
      return [];
  }
}

function samePlatform(a: PlatformSpec, b: PlatformSpec): boolean {
  return a.os === b.os && a.architecture === b.architecture && a.variant === b.variant;
}

/**
 * How well `candidate` serves `wanted`: 0 for an exact match, higher for compatible older variants,
 * undefined when it cannot run.
 */
export function platformRank(wanted: PlatformSpec, candidate: PlatformSpec): number | undefined {
  if (samePlatform(wanted, candidate)) return 0;
  const index = compatibleVariants(wanted).findIndex((c) => samePlatform(c, candidate));
  return index === -1 ? undefined : index + 1;
}

/** Whether an index entry is a BuildKit attestation manifest (or otherwise not a runnable image). */
export function isAttestationManifest(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.[DockerAnnotation.ReferenceType] === DockerAnnotation.AttestationManifest)
    return true;
  return descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown';
}

/**
 * Picks the best manifest for `wanted` from an index: an exact platform match first, then the newest
 * compatible variant; attestation manifests are ignored; ties go to the earlier entry. Entries without
 * a platform are used only when nothing matches by platform. Undefined when nothing fits.
 */
export function selectManifest(index: ImageIndex, wanted: PlatformSpec): Descriptor | undefined {
  let best: { readonly rank: number; readonly descriptor: Descriptor } | undefined;
  for (const descriptor of index.manifests) {
    if (isAttestationManifest(descriptor)) continue;
    const rank =
      descriptor.platform === undefined
        ? Number.MAX_SAFE_INTEGER
        : platformRank(wanted, normalizePlatform(descriptor.platform));
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { rank, descriptor };
  }
  return best?.descriptor;
}
