/**
 * Choosing a platform's manifest from an index.
 */
import { DockerAnnotation } from '../oci/media-types.js';
import type { Descriptor, Platform } from '../oci/types.js';

const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The platform of this process (`linux/amd64` on x64 Linux). */
export function hostPlatform(): Platform {
  return {
    os: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: NODE_ARCH[process.arch] ?? process.arch,
  };
}

/** `os/arch[/variant]`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant]
    .filter((p) => p !== undefined && p !== '')
    .join('/');
}

/** True for attestation and other non-image entries BuildKit adds to indexes. */
export function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.[DockerAnnotation.ReferenceType] === DockerAnnotation.AttestationManifest;
}

/** Whether an index entry's platform satisfies the wanted one (variant only compared when wanted). */
export function platformMatches(have: Platform | undefined, want: Platform): boolean {
  if (have === undefined) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant === undefined || want.variant === '') return true;
  const normal = (p: Platform) => p.variant ?? (p.architecture === 'arm64' ? 'v8' : '');
  return normal(have) === normal(want);
}
