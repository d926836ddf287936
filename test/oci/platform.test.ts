import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import {
  defaultPlatform,
  formatPlatform,
  type ImageIndex,
  type PlatformSpec,
  parsePlatform,
  selectManifest,
  sha256Digest,
} from '../../src/oci/index.js';

const LINUX_AMD64: PlatformSpec = { os: 'linux', architecture: 'amd64', variant: '' };

describe('parsePlatform / formatPlatform', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['Linux/X86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm64/v9.0', 'linux/arm64/v9'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['macos/arm64', 'darwin/arm64'],
    ['windows/amd64', 'windows/amd64'],
    ['linux/riscv64', 'linux/riscv64'],
    ['linux/s390x', 'linux/s390x'],
    ['arm64', 'linux/arm64'],
    ['x86_64', 'linux/amd64'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(formatPlatform(parsePlatform(input)), expected));
  }
  it('fills a lone OS from the defaults', () => {
    assert.deepEqual(parsePlatform('linux', { defaults: LINUX_AMD64 }), LINUX_AMD64);
    assert.throws(
      () => parsePlatform('linux'),
      (e: unknown) => isKilnError(e) && e.code === 'E_PLATFORM',
    );
  });
  for (const bad of ['', 'linux/', '/amd64', 'linux/amd64/v8/x', 'linux/*', 'linux/am d64', 'nonsense']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parsePlatform(bad),
        (e: unknown) => isKilnError(e) && e.code === 'E_PLATFORM',
      );
    });
  }
});

describe('defaultPlatform', () => {
  it('maps Node host facts', () => {
    assert.equal(formatPlatform(defaultPlatform({ platform: 'linux', arch: 'x64' })), 'linux/amd64');
    assert.equal(formatPlatform(defaultPlatform({ platform: 'darwin', arch: 'arm64' })), 'linux/arm64');
    assert.equal(
      formatPlatform(defaultPlatform({ platform: 'linux', arch: 'arm', armVersion: '6' })),
      'linux/arm/v6',
    );
    assert.equal(formatPlatform(defaultPlatform({ platform: 'linux', arch: 'arm' })), 'linux/arm/v7');
    assert.equal(formatPlatform(defaultPlatform({ platform: 'win32', arch: 'x64' })), 'windows/amd64');
    assert.equal(formatPlatform(defaultPlatform({ platform: 'linux', arch: 'ppc64' })), 'linux/ppc64le');
  });
});

function entry(
  name: string,
  platform?: { os: string; architecture: string; variant?: string },
  annotations?: Record<string, string>,
) {
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256Digest(name),
    size: 100,
    ...(platform !== undefined ? { platform } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

describe('selectManifest', () => {
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      entry(
        'attest',
        { os: 'unknown', architecture: 'unknown' },
        { 'vnd.docker.reference.type': 'attestation-manifest' },
      ),
      entry('amd64', { os: 'linux', architecture: 'amd64' }),
      entry('armv6', { os: 'linux', architecture: 'arm', variant: 'v6' }),
      entry('armv7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
      entry('arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      entry('amd64v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }),
    ],
  };
  const pick = (spec: string, idx: ImageIndex = index) => {
    const found = selectManifest(idx, parsePlatform(spec));
    return found === undefined ? undefined : idx.manifests.findIndex((m) => m.digest === found.digest);
  };
  it('exact matches, with default variants equivalent', () => {
    assert.equal(pick('linux/amd64'), 1);
    assert.equal(pick('linux/arm64'), 4, 'arm64 ≡ arm64/v8');
    assert.equal(pick('linux/arm'), 3, 'arm ≡ arm/v7');
    assert.equal(pick('linux/arm/v6'), 2);
    assert.equal(pick('linux/amd64/v3'), 5);
  });
  it('falls back to compatible older variants, newest first', () => {
    assert.equal(pick('linux/arm/v8'), 3);
    assert.equal(pick('linux/amd64/v4'), 5);
    assert.equal(pick('linux/amd64/v2'), 1);
    const noArm64: ImageIndex = { schemaVersion: 2, manifests: index.manifests.filter((_, i) => i !== 4) };
    assert.equal(pick('linux/arm64', noArm64), 3, 'arm64 can run arm/v7');
  });
  it('never picks attestations or incompatible platforms', () => {
    assert.equal(pick('linux/s390x'), undefined);
    assert.equal(pick('windows/amd64'), undefined);
    const onlyAttest: ImageIndex = { schemaVersion: 2, manifests: [index.manifests[0]!] };
    assert.equal(pick('linux/amd64', onlyAttest), undefined);
  });
  it('uses an entry without platform only when nothing else fits', () => {
    const idx: ImageIndex = {
      schemaVersion: 2,
      manifests: [entry('any'), entry('amd64', { os: 'linux', architecture: 'amd64' })],
    };
    assert.equal(pick('linux/amd64', idx), 1);
    assert.equal(pick('linux/arm64', idx), 0);
  });
});
